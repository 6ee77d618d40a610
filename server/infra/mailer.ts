import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "../config.ts";
import type { Logger } from "./logger.ts";

export interface Email {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(email: Email): Promise<void>;
  configured: boolean;
}

/** SMTP when configured; otherwise the e-mail is written to the log, so development needs no mail server. */
export function createMailer(config: Pick<Config, "smtp" | "emailFrom" | "isProduction">, log: Logger): Mailer {
  const smtp = config.smtp;
  if (!smtp) {
    return {
      configured: false,
      async send(email) {
        log.info("E-mail (SMTP not configured, not sent)", { to: email.to, subject: email.subject, body: email.text });
      },
    };
  }
  const transport: Transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.port === 465,
    auth: smtp.user ? { user: smtp.user, pass: smtp.pass } : undefined,
    requireTLS: config.isProduction && smtp.port !== 465,
  });
  return {
    configured: true,
    async send(email) {
      await transport.sendMail({ from: config.emailFrom, ...email });
      log.info("E-mail sent", { to: email.to, subject: email.subject });
    },
  };
}

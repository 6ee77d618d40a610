import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "../config.ts";
import type { Logger } from "./logger.ts";

export interface Email {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface MailerStatus {
  state: "ok" | "degraded" | "not_configured";
  detail: string;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
}

export interface Mailer {
  send(email: Email): Promise<void>;
  configured: boolean;
  /** This instance's view of the SMTP server: degraded while its last delivery attempt failed. */
  status(): MailerStatus;
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
      status: () => ({
        state: "not_configured",
        detail: "SMTP not configured; e-mails are written to the log",
        lastSuccessAt: null,
        lastFailureAt: null,
      }),
    };
  }
  const transport: Transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.port === 465,
    auth: smtp.user ? { user: smtp.user, pass: smtp.pass } : undefined,
    requireTLS: config.isProduction && smtp.port !== 465,
    // A server that accepts the connection and then hangs must not hold a job for minutes.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  const server = `SMTP ${smtp.host}:${smtp.port}`;
  let lastSuccessAt: string | null = null;
  let lastFailureAt: string | null = null;
  let lastError: string | null = null;
  return {
    configured: true,
    async send(email) {
      try {
        await transport.sendMail({ from: config.emailFrom, ...email });
      } catch (error) {
        lastFailureAt = new Date().toISOString();
        lastError = error instanceof Error ? error.message : String(error);
        throw error;
      }
      lastSuccessAt = new Date().toISOString();
      lastError = null;
      log.info("E-mail sent", { to: email.to, subject: email.subject });
    },
    status: () => ({
      state: lastError ? "degraded" : "ok",
      detail: lastError ? `${server}: last delivery failed (${lastError.slice(0, 200)}); retrying` : server,
      lastSuccessAt,
      lastFailureAt,
    }),
  };
}

import { SMTPServer } from "smtp-server";
import { freePort } from "./redis-server.ts";

export interface ReceivedMail {
  to: string[];
  raw: string;
  /** Quoted-printable soft breaks removed, so links and long lines can be matched. */
  text: string;
}

/**
 * A real SMTP server on loopback that keeps what it receives. `failing` makes it refuse every message with a
 * temporary error (as a full or overloaded server does) until set back to false.
 */
export async function startSmtpServer() {
  const received: ReceivedMail[] = [];
  const state = { failing: false, refused: 0 };
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (c: Buffer) => (raw += c.toString()));
      stream.on("end", () => {
        if (state.failing) {
          state.refused++;
          const error = Object.assign(new Error("Mailbox temporarily unavailable"), { responseCode: 451 });
          return callback(error);
        }
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          text: raw.replace(/=\r?\n/g, "").replace(/=3D/g, "="),
        });
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => smtp.listen(port, "127.0.0.1", resolve));
  return {
    port,
    received,
    state,
    env: { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(port) },
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}

/** Polls until `check` returns something truthy; fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value: T = await check();
    if (value !== null && value !== undefined && value !== false && value !== 0 && value !== "") return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

import { join } from "node:path";
import winston from "winston";
import type { Config } from "../config.ts";

export type Logger = winston.Logger;

const SECRET_KEY = /authorization|cookie|passw(or)?d|secret|token|api[-_]?key|credential|encryption[-_]?key|dsn/i;
/** Values that look like secrets wherever they appear in a message: bearer tokens, Echos keys, URLs with passwords. */
const SECRET_VALUE_PATTERNS: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 [REDACTED]"],
  [/\bechos_[a-z]_[A-Za-z0-9]{16,}\b/g, "echos_[REDACTED]"],
  [/(\w+:\/\/[^:/\s]+:)[^@\s]+@/g, "$1[REDACTED]@"],
  // drizzle appends a failed query's parameters (user data) to its error message.
  [/\nparams: [\s\S]*$/, "\nparams: [REDACTED]"],
];
const REDACTED = "[REDACTED]";

export function redactString(value: string): string {
  let out = value;
  for (const [pattern, replacement] of SECRET_VALUE_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Counts such as `tokens: 42` are not secrets; strings and objects under a secret-sounding name are. */
function isSecretEntry(key: string, value: unknown): boolean {
  return SECRET_KEY.test(key) && (typeof value === "string" || (typeof value === "object" && value !== null));
}

/** Deep copy with secret-named fields masked and secret-looking strings scrubbed. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (value instanceof Error) {
    return { name: value.name, message: redactString(value.message), stack: value.stack && redactString(value.stack) };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretEntry(k, v) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === "level") continue;
    info[key] = isSecretEntry(key, info[key]) ? REDACTED : redact(info[key]);
  }
  return info;
});

const ROTATE = { maxsize: 5 * 1024 * 1024, maxFiles: 5, tailable: true };

/**
 * Development: colourised console. Production: JSON on the console plus rotated error.log and combined.log.
 * Every transport receives only redacted entries.
 */
export function createLogger(config: Pick<Config, "log" | "env">): Logger {
  const base = winston.format.combine(
    redactFormat(),
    winston.format.timestamp(),
    winston.format.errors({ stack: true }),
  );
  const transports: winston.transport[] = [
    new winston.transports.Console({
      format: config.log.json
        ? winston.format.json()
        : winston.format.combine(
            winston.format.colorize(),
            winston.format.printf(({ level, message, timestamp, ...meta }) => {
              const rest = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : "";
              return `${String(timestamp).slice(11, 23)} ${level} ${String(message)}${rest}`;
            }),
          ),
    }),
  ];
  if (config.log.files) {
    transports.push(
      new winston.transports.File({
        filename: join(config.log.dir, "error.log"),
        level: "error",
        format: winston.format.json(),
        ...ROTATE,
      }),
      new winston.transports.File({
        filename: join(config.log.dir, "combined.log"),
        format: winston.format.json(),
        ...ROTATE,
      }),
    );
  }
  return winston.createLogger({ level: config.log.level, format: base, transports, defaultMeta: { service: "echos" } });
}

/** Waits until file transports have written what they hold; used before exit. */
export async function closeLogger(logger: Logger): Promise<void> {
  const done = new Promise<void>((resolve) => logger.on("finish", () => resolve()));
  logger.end();
  await Promise.race([done, new Promise((r) => setTimeout(r, 1000))]);
}

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

/** Of a statement in a log line: its start, whitespace folded, enough to tell which query it was. */
const STATEMENT_SHAPE_CHARS = 120;

/**
 * A failed query (drizzle's error, which carries the statement, its parameters and the database's error) is logged
 * by its shape: the statement's start, how many parameters of which types, and the database's code and message
 * with quoted values masked. Whole statements made each failure a ~3 KB line (its text twice, in message and
 * stack), and parameters and the values PostgreSQL quotes back (`invalid input syntax for type uuid: "…"`) are
 * user data. The stack is left out: it runs through the driver, not through the code that made the query.
 */
function failedQuery(error: Error): Record<string, unknown> | null {
  const { query, params } = error as Error & { query?: unknown; params?: unknown };
  if (typeof query !== "string" || !Array.isArray(params)) return null;
  const folded = query.replace(/\s+/g, " ").trim();
  const statement =
    folded.length > STATEMENT_SHAPE_CHARS
      ? `${folded.slice(0, STATEMENT_SHAPE_CHARS)}… (${folded.length} chars)`
      : folded;
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  return {
    name: error.name,
    message: "Failed query",
    statement: redactString(statement),
    parameters: params.map((p: unknown) => (p === null ? "null" : Array.isArray(p) ? "array" : typeof p)),
    ...(cause && typeof cause === "object"
      ? {
          code: typeof cause.code === "string" ? cause.code : undefined,
          cause: typeof cause.message === "string" ? maskQuoted(cause.message).slice(0, 200) : undefined,
        }
      : {}),
  };
}

/** `invalid input syntax for type uuid: "abc"` → `…: "…"`: the database quotes the offending value back. */
const maskQuoted = (message: string) =>
  redactString(message.replace(/"[^"]*"|\([^)]*\)=\([^)]*\)/g, (m) => (m.startsWith('"') ? '"…"' : "(…)=(…)")));

/** Deep copy with secret-named fields masked and secret-looking strings scrubbed. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (value instanceof Error) {
    return (
      failedQuery(value) ?? {
        name: value.name,
        message: redactString(value.message),
        stack: value.stack && redactString(value.stack),
      }
    );
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

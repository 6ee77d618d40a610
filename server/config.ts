import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { parseCidr } from "./modules/step-guards/address-policy.ts";

/**
 * The one place that reads the environment. Everything else receives the typed `Config`.
 * Rules follow DESIGN.md's configuration table.
 */

const LOG_LEVELS = ["error", "warn", "info", "http", "verbose", "debug", "silly"] as const;

const ZOptionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const ZBooleanish = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"], {
    error: "must be true or false",
  })
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

const positiveInt = (fallback: number) =>
  z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .positive("must be positive")
    .default(fallback);

const nonNegativeInt = (fallback: number) =>
  z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(0, "must be 0 (unlimited) or more")
    .default(fallback);

const ZUrlList = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url({ error: "must be a comma-separated list of origins like https://app.example.com" })));

const ZCommaList = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

const ZHostList = ZCommaList.pipe(
  z.array(
    z
      .string()
      .regex(
        /^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i,
        "must be a comma-separated list of host names like api.internal",
      ),
  ),
);

const ZCidrList = ZCommaList.pipe(
  z.array(
    z
      .string()
      .refine((v) => parseCidr(v) !== undefined, "must be a comma-separated list of CIDRs like 10.0.0.0/8 or fd00::/8"),
  ),
);

const ZEnv = z.object({
  NODE_ENV: z
    .enum(["development", "production", "test"], { error: "must be development, production or test" })
    .default("development"),
  PORT: z.coerce.number({ error: "must be a number" }).int().min(0).max(65535, "must be a port number").default(5000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: ZOptionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
      .optional(),
  ),
  DATABASE_SSL: ZOptionalString.pipe(ZBooleanish.optional()),
  DATABASE_POOL_MAX: positiveInt(10),
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt(15_000),
  ECHOS_DATA_DIR: z.string().default("./data"),
  REDIS_URL: ZOptionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, "must start with redis:// or rediss://")
      .optional(),
  ),
  SESSION_SECRET: ZOptionalString,
  ENCRYPTION_KEY: ZOptionalString,
  ENCRYPTION_KEY_PREVIOUS: ZOptionalString,
  ECHOS_API_URL: ZOptionalString.pipe(z.url({ error: "must be a URL like https://echos.example.com" }).optional()),
  LOG_LEVEL: ZOptionalString.pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).optional()),
  LOG_DIR: z.string().default("./logs"),
  CORS_ORIGINS: ZOptionalString.pipe(ZUrlList.optional()),
  COOKIE_DOMAIN: ZOptionalString,
  TRUST_PROXY: ZOptionalString,
  SMTP_HOST: ZOptionalString,
  SMTP_PORT: positiveInt(587),
  SMTP_USER: ZOptionalString,
  SMTP_PASS: ZOptionalString,
  EMAIL_FROM: z.string().default("Echos <noreply@localhost>"),
  SENTRY_DSN: ZOptionalString.pipe(z.url({ error: "must be a Sentry DSN URL" }).optional()),
  BACKUP_DIR: z.string().default("./backups"),
  METRICS_TOKEN: ZOptionalString.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  RATE_LIMIT_MAX: positiveInt(600),
  RATE_LIMIT_WINDOW_MS: positiveInt(60_000),
  BODY_LIMIT_BYTES: positiveInt(1_048_576),
  REQUEST_TIMEOUT_MS: positiveInt(30_000),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
  SUMMARY_QUIET_SECONDS: positiveInt(120),
  SUMMARY_MODEL: z.string().trim().min(1).default("gpt-4o-mini"),
  HTTP_ALLOW_HOSTS: ZOptionalString.pipe(ZHostList.optional()),
  HTTP_ALLOW_CIDRS: ZOptionalString.pipe(ZCidrList.optional()),
  USAGE_SPANS_LIMIT: nonNegativeInt(1_000_000),
  USAGE_REPLAYS_LIMIT: nonNegativeInt(1_000),
  RETENTION_DAYS: nonNegativeInt(30),
  JOBS_POLL_MS: positiveInt(1_000),
  JOBS_LEASE_SECONDS: positiveInt(60),
});

/**
 * Variables older deployment guides ask for that Echos never reads: replays run inside the server (server-side
 * mode), so no API key of the server's own is needed. Only their names are kept, to say so once at start.
 */
const UNNEEDED_VARIABLES = ["ECHOS_SYSTEM_API_KEY", "ECHOS_API_KEY"] as const;

export type Env = Record<string, string | undefined>;
export type NodeEnv = "development" | "production" | "test";

export interface Config {
  env: NodeEnv;
  isProduction: boolean;
  port: number;
  host: string;
  dataDir: string;
  database:
    | {
        url: string;
        ssl: boolean | "prefer";
        poolMax: number;
        /** Any statement running longer is cancelled by PostgreSQL (one heavy query must not hold a connection). */
        statementTimeoutMs?: number;
      }
    | { embedded: true; dir: string | null };
  redisUrl: string | undefined;
  sessionSecret: string;
  encryptionKey: string;
  /** The key being rotated away from; values sealed under it stay readable until `npm run secrets:rotate`. */
  encryptionKeyPrevious: string | undefined;
  publicUrl: string;
  log: { level: string; dir: string; files: boolean; json: boolean };
  corsOrigins: string[];
  cookieDomain: string | undefined;
  trustProxy: boolean | number | string;
  smtp: { host: string; port: number; user: string | undefined; pass: string | undefined } | undefined;
  emailFrom: string;
  sentryDsn: string | undefined;
  backupDir: string;
  /** Bearer token that opens /metrics to remote scrapers; loopback callers need none. */
  metricsToken: string | undefined;
  rateLimit: { max: number; windowMs: number };
  bodyLimitBytes: number;
  /**
   * A request's headers and body must have arrived within this long (headers alone within 10 s at most), or the
   * connection is answered 408 and closed. Responses, streams included, are not bounded by it.
   */
  requestTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** Conversation summaries: written once a conversation has been quiet this long, by this model. */
  summaries: { quietMs: number; model: string };
  /** What http steps and code-step fetches run by the server may reach besides the public internet. */
  httpGuard: { allowHosts: string[]; allowCidrs: string[] };
  /** Defaults for organisations that set none; 0 means unlimited (retention: kept forever). */
  usage: { spansLimit: number; replaysLimit: number; retentionDays: number };
  /** Background job queue: how often an idle worker looks for due jobs, and how long a claim lasts unrenewed. */
  jobs: { pollMs: number; leaseMs: number };
  /** Names (never values) of variables that are set but not needed by the server; see UNNEEDED_VARIABLES. */
  unneededVariables: string[];
}

/** Thrown with one human-readable line per problem; the entry point prints them and exits non-zero. */
/** The one start-up line about `unneededVariables`, or null when none is set. Names only, never a value. */
export function unneededVariablesNotice(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  const [these, are, them] = names.length === 1 ? [names[0]!, "is", "it"] : [names.join(" and "), "are", "them"];
  return (
    `${these} ${are} set but not needed: Echos runs replays inside the server (server-side mode) with no API key ` +
    `of its own. API keys belong to the agents that send runs (the SDK reads ECHOS_API_KEY in their process); ` +
    `you can remove ${them} from the server's environment.`
  );
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const MIN_SECRET_LENGTH = 32;

function parseTrustProxy(raw: string | undefined, isProduction: boolean): boolean | number | string {
  if (raw === undefined) return isProduction ? 1 : false;
  if (raw === "true") return true;
  if (raw === "false") return false;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : raw;
}

/** Development keeps generated secrets in the data dir so sessions and encrypted values survive restarts. */
function developmentSecrets(dataDir: string): { sessionSecret: string; encryptionKey: string } {
  const file = join(dataDir, "secrets.json");
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, "utf8")) as Partial<Record<"sessionSecret" | "encryptionKey", string>>;
    if (stored.sessionSecret && stored.encryptionKey) {
      return { sessionSecret: stored.sessionSecret, encryptionKey: stored.encryptionKey };
    }
  }
  const secrets = {
    sessionSecret: randomBytes(32).toString("base64url"),
    encryptionKey: randomBytes(32).toString("base64url"),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** Rules that span variables, checked on the raw values so every problem is reported in one go. */
function crossChecks(env: Env): string[] {
  const problems: string[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;
  const isProduction = value("NODE_ENV") === "production";
  if (isProduction && !value("DATABASE_URL")) {
    problems.push("DATABASE_URL is required in production (postgres://user:password@host:5432/echos)");
  }
  for (const name of ["SESSION_SECRET", "ENCRYPTION_KEY"]) {
    const secret = value(name);
    if (isProduction && !secret)
      problems.push(
        `${name} is required in production (at least ${MIN_SECRET_LENGTH} characters; openssl rand -base64 32)`,
      );
    else if (secret !== undefined && secret.length < MIN_SECRET_LENGTH)
      problems.push(`${name} must be at least ${MIN_SECRET_LENGTH} characters (got ${secret.length})`);
  }
  return problems;
}

export function loadConfig(env: Env = process.env): Config {
  const parsed = ZEnv.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`)),
    ...crossChecks(env),
  ];
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  const isProduction = e.NODE_ENV === "production";

  const dataDir = resolve(e.ECHOS_DATA_DIR);
  let sessionSecret = e.SESSION_SECRET;
  let encryptionKey = e.ENCRYPTION_KEY;
  if (!sessionSecret || !encryptionKey) {
    const generated =
      e.NODE_ENV === "development"
        ? developmentSecrets(dataDir)
        : {
            sessionSecret: randomBytes(32).toString("base64url"),
            encryptionKey: randomBytes(32).toString("base64url"),
          };
    sessionSecret ??= generated.sessionSecret;
    encryptionKey ??= generated.encryptionKey;
  }

  const sslFromUrl = e.DATABASE_URL ? new URL(e.DATABASE_URL).searchParams.get("sslmode") : null;
  const database: Config["database"] = e.DATABASE_URL
    ? {
        url: e.DATABASE_URL,
        // An explicit sslmode in the URL wins; postgres.js reads it from the URL itself.
        ssl: sslFromUrl ? sslFromUrl !== "disable" : (e.DATABASE_SSL ?? (isProduction ? true : false)),
        poolMax: e.DATABASE_POOL_MAX,
        statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      }
    : // Tests run in memory unless they name a data dir (to restart a server on the same data).
      { embedded: true, dir: e.NODE_ENV === "test" && !env.ECHOS_DATA_DIR ? null : join(dataDir, "pglite") };

  return {
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database,
    redisUrl: e.REDIS_URL,
    sessionSecret,
    encryptionKey,
    encryptionKeyPrevious: e.ENCRYPTION_KEY_PREVIOUS,
    publicUrl: (e.ECHOS_API_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    log: {
      level: e.LOG_LEVEL ?? (isProduction ? "info" : e.NODE_ENV === "test" ? "warn" : "debug"),
      dir: resolve(e.LOG_DIR),
      files: isProduction,
      json: isProduction,
    },
    corsOrigins: e.CORS_ORIGINS ?? [],
    cookieDomain: e.COOKIE_DOMAIN,
    trustProxy: parseTrustProxy(e.TRUST_PROXY, isProduction),
    smtp: e.SMTP_HOST ? { host: e.SMTP_HOST, port: e.SMTP_PORT, user: e.SMTP_USER, pass: e.SMTP_PASS } : undefined,
    emailFrom: e.EMAIL_FROM,
    sentryDsn: e.SENTRY_DSN,
    backupDir: resolve(e.BACKUP_DIR),
    metricsToken: e.METRICS_TOKEN,
    rateLimit: { max: e.RATE_LIMIT_MAX, windowMs: e.RATE_LIMIT_WINDOW_MS },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    summaries: { quietMs: e.SUMMARY_QUIET_SECONDS * 1000, model: e.SUMMARY_MODEL },
    httpGuard: { allowHosts: e.HTTP_ALLOW_HOSTS ?? [], allowCidrs: e.HTTP_ALLOW_CIDRS ?? [] },
    usage: { spansLimit: e.USAGE_SPANS_LIMIT, replaysLimit: e.USAGE_REPLAYS_LIMIT, retentionDays: e.RETENTION_DAYS },
    jobs: { pollMs: e.JOBS_POLL_MS, leaseMs: e.JOBS_LEASE_SECONDS * 1000 },
    unneededVariables: UNNEEDED_VARIABLES.filter((name) => env[name]?.trim()),
  };
}

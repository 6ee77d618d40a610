import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  date,
  boolean,
  customType,
  doublePrecision,
  integer,
  index,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/**
 * jsonb, read as the drivers return it. postgres.js and PGlite both parse jsonb already; drizzle's own jsonb column
 * parses any string it is handed a second time, so a stored JSON string such as "4" or "{\"a\":1}" (a tool's
 * output, say) came back as the number 4 or an object.
 */
const jsonb = customType<{ data: unknown; driverData: unknown }>({
  dataType: () => "jsonb",
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => value,
});

/** One row per running server process; heartbeats let operators see every instance behind a load balancer. */
export const serverInstances = pgTable(
  "server_instances",
  {
    id: text("id").primaryKey(),
    hostname: text("hostname").notNull(),
    version: text("version").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    stoppedAt: timestamp("stopped_at", { withTimezone: true }),
  },
  (t) => [index("server_instances_last_seen_idx").on(t.lastSeenAt)],
);

export const ROLES = ["owner", "admin", "member", "viewer"] as const;
export const roleEnum = pgEnum("role", ROLES);
export const apiKeyScopeEnum = pgEnum("api_key_scope", ["ingest", "full"]);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Stored lower-cased; uniqueness is on that form. */
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    passwordHash: text("password_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("users_email_idx").on(t.email)],
);

export const orgs = pgTable("orgs", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  /** Monthly limits and retention set by the owners; null takes the installation's default, 0 means unlimited. */
  spansLimit: integer("spans_limit"),
  replaysLimit: integer("replays_limit"),
  retentionDays: integer("retention_days"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const sessions = pgTable(
  "sessions",
  {
    /** SHA-256 of the token, hex; the token itself is never stored. */
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    activeOrgId: uuid("active_org_id").references(() => orgs.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }).notNull().defaultNow(),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

export const memberships = pgTable(
  "memberships",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: roleEnum("role").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

export const invites = pgTable(
  "invites",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: roleEnum("role").notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("invites_token_idx").on(t.tokenHash), index("invites_org_idx").on(t.orgId)],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The first characters of the key, shown in lists so a user can tell keys apart. */
    prefix: text("prefix").notNull(),
    /** SHA-256 of the whole key, hex. */
    keyHash: text("key_hash").notNull(),
    scope: apiKeyScopeEnum("scope").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    /** When the "expires within 7 days" notice was queued; set once, so each key gets one notice. */
    expiryNoticeAt: timestamp("expiry_notice_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("api_keys_hash_idx").on(t.keyHash), index("api_keys_org_idx").on(t.orgId, t.createdAt)],
);

/**
 * An organisation's own prices, which win over the built-in table: for a model name (`pattern`, lower case), or a
 * glob of names where `*` stands for anything. USD per million tokens.
 */
export const modelPrices = pgTable(
  "model_prices",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    pattern: text("pattern").notNull(),
    inputUsdPerMillion: doublePrecision("input_usd_per_million").notNull(),
    outputUsdPerMillion: doublePrecision("output_usd_per_million").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("model_prices_org_pattern_idx").on(t.orgId, t.pattern)],
);

export const providerCredentials = pgTable(
  "provider_credentials",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    /** The name steps refer to, e.g. OPENAI_API_KEY; unique per organisation. */
    name: text("name").notNull(),
    provider: text("provider").notNull(),
    baseUrl: text("base_url").notNull(),
    /** `<nonce>.<ciphertext>.<tag>` in base64url, sealed under the key named by `keyId`; see modules/credentials/crypto.ts. */
    secret: text("secret").notNull(),
    /** Which encryption key sealed `secret`, so keys can be rotated (npm run secrets:rotate). */
    keyId: text("key_id").notNull(),
    /** Last four characters, for the masked display. */
    hint: text("hint").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("provider_credentials_org_name_idx").on(t.orgId, t.name)],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: uuid("org_id").references(() => orgs.id, { onDelete: "cascade" }),
    actorUserId: uuid("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    actorEmail: text("actor_email"),
    action: text("action").notNull(),
    target: text("target"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    ip: text("ip"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("audit_log_org_idx").on(t.orgId, t.createdAt)],
);

export const runStatusEnum = pgEnum("run_status", ["running", "success", "error"]);
export const spanKindEnum = pgEnum("span_kind", ["llm", "tool", "code", "http", "custom", "agent"]);

/** A run of an agent. `id` is the client's own id, unique per organisation, so re-sent batches are no-ops. */
export const runs = pgTable(
  "runs",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    /** Server-assigned and monotonic: the order of changes that live views resume from. */
    seq: bigserial("seq", { mode: "number" }).notNull(),
    name: text("name").notNull(),
    status: runStatusEnum("status").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    input: jsonb("input"),
    output: jsonb("output"),
    error: text("error"),
    tags: text("tags").array().notNull().default([]),
    conversationId: text("conversation_id"),
    workflowVersionId: text("workflow_version_id"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    /**
     * Totals over the run's spans, recomputed whenever its spans change. Tokens are int8: a span holds up to 2^31-1
     * (its int4 column), and a run's sum of them must never overflow.
     */
    inputTokens: bigint("input_tokens", { mode: "number" }).notNull().default(0),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull().default(0),
    costUsd: doublePrecision("cost_usd").notNull().default(0),
    spanCount: integer("span_count").notNull().default(0),
    errorCount: integer("error_count").notNull().default(0),
    /** Model calls (a model and tokens) with no known price: `cost_usd` leaves them out, and the run says so. */
    unpricedCount: integer("unpriced_count").notNull().default(0),
    /** A replay's parent run and the step it was forked at; null for recorded runs. */
    replayOf: text("replay_of"),
    replayFromStep: text("replay_from_step"),
    /**
     * A finished replay against the run it replays: "fixed", "still_failing", "changed", "unchanged" or
     * "interrupted"; null for recorded runs and running replays. `verdict_step` is where it still fails (or first
     * changed).
     */
    verdict: text("verdict").$type<"fixed" | "still_failing" | "changed" | "unchanged" | "interrupted">(),
    verdictStep: text("verdict_step"),
    /** The workflow's name: workflow version ids read `<name>@<hash>`. */
    workflow: text("workflow").generatedAlwaysAs(sql`nullif(split_part(workflow_version_id, '@', 1), '')`),
    /** Words of the id, name, conversation, error and the values of input and output, for the Runs filter. */
    search: tsvector("search").generatedAlwaysAs(
      sql`to_tsvector('simple'::regconfig, id || ' ' || name || ' ' || coalesce(conversation_id, '') || ' ' || coalesce(error, '')) || jsonb_to_tsvector('simple'::regconfig, coalesce(input, 'null'::jsonb), '["string", "numeric"]'::jsonb) || jsonb_to_tsvector('simple'::regconfig, coalesce(output, 'null'::jsonb), '["string", "numeric"]'::jsonb)`,
    ),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    // Ascending, read backwards for "newest first" (`desc` = `desc nulls first`, which a `desc nulls last` index
    // cannot serve).
    index("runs_org_started_idx").on(t.orgId, t.startedAt, t.id),
    index("runs_org_conversation_idx").on(t.orgId, t.conversationId),
    index("runs_org_workflow_started_idx").on(t.orgId, t.workflow, t.startedAt, t.id),
    index("runs_org_status_started_idx").on(t.orgId, t.status, t.startedAt, t.id),
    index("runs_tags_idx").using("gin", t.tags),
    index("runs_search_idx").using("gin", t.search),
    index("runs_org_replay_of_idx")
      .on(t.orgId, t.replayOf)
      .where(sql`replay_of is not null`),
    // The Runs list's other sort orders (modules/runs/list.ts spells the same expressions), tie-broken by id.
    index("runs_org_duration_idx").on(t.orgId, sql`coalesce(extract(epoch from ended_at - started_at), -1)`, t.id),
    index("runs_org_tokens_idx").on(t.orgId, sql`(input_tokens + output_tokens)`, t.id),
    index("runs_org_cost_idx").on(t.orgId, t.costUsd, t.id),
  ],
);

/**
 * How a replay was asked for: the fork step, its config override and the per-step policies. The replay's spans and
 * totals live in `runs`/`spans` under the same id, like any run's.
 */
export const replays = pgTable(
  "replays",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    /** The replay run's id. */
    id: text("id").notNull(),
    parentRunId: text("parent_run_id").notNull(),
    /** The first run of the fork tree (the parent's root, or the parent itself). */
    rootRunId: text("root_run_id").notNull(),
    /** "workflow": replay of a workflow run from a step; "span": one LLM span re-run in the playground. */
    mode: text("mode").$type<"workflow" | "span">().notNull(),
    forkStep: text("fork_step").notNull(),
    overrides: jsonb("overrides").$type<Record<string, unknown>>().notNull().default({}),
    /** Step ids switched to live that would otherwise stay recorded (side effects), and the reverse. */
    policies: jsonb("policies").$type<Record<string, "live" | "recorded">>().notNull().default({}),
    /** What changed, generated from the overrides when the replay is recorded; the user may rename it. */
    label: text("label"),
    /** 1, 2, 3… in creation order within the fork tree (per root run): "Variant 3" stays variant 3. */
    number: integer("number"),
    /** "server": run by Echos; "sdk": run by `runtime.replay()` in the user's process. */
    executor: text("executor").$type<"server" | "sdk">().notNull().default("server"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    apiKeyId: uuid("api_key_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    index("replays_org_parent_idx").on(t.orgId, t.parentRunId, t.createdAt),
    index("replays_org_root_idx").on(t.orgId, t.rootRunId, t.createdAt),
    uniqueIndex("replays_org_root_number_idx").on(t.orgId, t.rootRunId, t.number),
  ],
);

/**
 * Runs that share a conversation id, kept current by ingestion. `summaryDue` marks a conversation whose summary is
 * missing or older than its last activity; the summary job picks those up once they have been quiet for a while.
 */
export const conversations = pgTable(
  "conversations",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    runCount: integer("run_count").notNull().default(0),
    errorCount: integer("error_count").notNull().default(0),
    firstAt: timestamp("first_at", { withTimezone: true }).notNull(),
    lastAt: timestamp("last_at", { withTimezone: true }).notNull(),
    activityAt: timestamp("activity_at", { withTimezone: true }).notNull().defaultNow(),
    summary: text("summary"),
    summarySource: text("summary_source").$type<"llm" | "extractive">(),
    summarizedAt: timestamp("summarized_at", { withTimezone: true }),
    summaryDue: boolean("summary_due").notNull().default(true),
    summaryAttempts: integer("summary_attempts").notNull().default(0),
    /** Set while an instance writes the summary, so no other picks it up; a crashed writer's lease runs out. */
    summaryLeaseUntil: timestamp("summary_lease_until", { withTimezone: true }),
    summaryError: text("summary_error"),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    index("conversations_org_last_idx").on(t.orgId, t.lastAt, t.id),
    index("conversations_due_idx")
      .on(t.activityAt)
      .where(sql`summary_due`),
  ],
);

export const spans = pgTable(
  "spans",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    runId: text("run_id").notNull(),
    parentId: text("parent_id"),
    name: text("name").notNull(),
    kind: spanKindEnum("kind").notNull(),
    status: runStatusEnum("status").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    input: jsonb("input"),
    output: jsonb("output"),
    config: jsonb("config"),
    attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull().default({}),
    model: text("model"),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    costUsd: doublePrecision("cost_usd"),
    error: text("error"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.id] }), index("spans_org_run_idx").on(t.orgId, t.runId, t.startedAt)],
);

/**
 * GenAI events that came as OTLP log records (the prompt and the choices of a model call, which some
 * instrumentations send to /v1/logs rather than on the span), kept by the span they belong to. Records and their
 * span arrive in separate requests, in either order and possibly at different instances: a span written later
 * reads its records from here, and records arriving for a stored span update it. They are kept for a day (the
 * retention job deletes older ones), so a span sent again still finds them. `key` is a digest of the record: an
 * exporter's retry stores nothing twice.
 */
export const otelLogRecords = pgTable(
  "otel_log_records",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    /** The Echos span id (`otel-<span id>`). */
    spanId: text("span_id").notNull(),
    key: text("key").notNull(),
    seq: bigserial("seq", { mode: "number" }).notNull(),
    /** The event as the mapper reads it: name, time (nanoseconds, as text) and attributes. */
    event: jsonb("event").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.spanId, t.key] }), index("otel_log_records_received_idx").on(t.receivedAt)],
);

/** Per organisation and calendar month (UTC), counted as batches are accepted. */
export const usage = pgTable(
  "usage",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    period: text("period").notNull(),
    runs: integer("runs").notNull().default(0),
    spans: integer("spans").notNull().default(0),
    replays: integer("replays").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.period] })],
);

/** The same counts per UTC day, for the Usage chart; written beside `usage` in the same transaction. */
export const usageDaily = pgTable(
  "usage_daily",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    day: date("day").notNull(),
    runs: integer("runs").notNull().default(0),
    spans: integer("spans").notNull().default(0),
    replays: integer("replays").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day] })],
);

/** One row per organisation, period, metric and threshold (90 or 100 %): the warning is sent once, by one instance. */
export const usageNotices = pgTable(
  "usage_notices",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    period: text("period").notNull(),
    metric: text("metric").$type<"spans" | "replays">().notNull(),
    threshold: integer("threshold").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.period, t.metric, t.threshold] })],
);

export const jobStatusEnum = pgEnum("job_status", ["pending", "running", "completed", "failed"]);

/**
 * Durable background work. Workers claim due rows with `for update skip locked` and hold them under a lease
 * (`locked_until`); a row whose lease ran out belongs to a dead worker and is claimed again.
 */
export const jobs = pgTable(
  "jobs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: text("kind").notNull(),
    /** At most one pending or running job per kind and key: N instances scheduling the same work enqueue it once. */
    dedupeKey: text("dedupe_key"),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    status: jobStatusEnum("status").notNull().default("pending"),
    runAt: timestamp("run_at", { withTimezone: true }).notNull().defaultNow(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    lockedBy: text("locked_by"),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    failedAt: timestamp("failed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("jobs_dedupe_idx")
      .on(t.kind, t.dedupeKey)
      .where(sql`status in ('pending', 'running') and dedupe_key is not null`),
    index("jobs_due_idx")
      .on(t.runAt)
      .where(sql`status = 'pending'`),
    index("jobs_lease_idx")
      .on(t.lockedUntil)
      .where(sql`status = 'running'`),
    index("jobs_kind_status_idx").on(t.kind, t.status, t.completedAt),
  ],
);

export const workflows = pgTable(
  "workflows",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("workflows_org_name_idx").on(t.orgId, t.name)],
);

/** Immutable once written: a definition is identified by the hash of its content. */
export const workflowVersions = pgTable(
  "workflow_versions",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    /** `<name>@<first 12 hex of the content hash>`, what runs carry as workflow_version_id. */
    id: text("id").notNull(),
    workflowId: uuid("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    hash: text("hash").notNull(),
    definition: jsonb("definition").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    index("workflow_versions_workflow_idx").on(t.workflowId, t.createdAt),
  ],
);

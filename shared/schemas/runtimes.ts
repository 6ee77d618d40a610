import { z } from "zod";

/**
 * The wire format between a connected SDK runtime and Echos: the stream opened by
 * `GET /api/v1/runtimes/connect`, the events it carries, and the result the runtime posts back.
 */

export const RUNTIME_MAX_TOOLS = 100;

const ZToolName = z.string().min(1, "a tool name cannot be empty").max(200, "a tool name has at most 200 characters");

/** Query of the connect request; `tool` is repeated once per registered tool. */
export const ZRuntimeConnectQuery = z.object({
  name: z.string().trim().min(1).max(100, "name has at most 100 characters").default("runtime"),
  tool: z
    .union([ZToolName, z.array(ZToolName)])
    .transform((t) => [...new Set(Array.isArray(t) ? t : [t])])
    .pipe(z.array(ZToolName).max(RUNTIME_MAX_TOOLS, `a runtime registers at most ${RUNTIME_MAX_TOOLS} tools`)),
  sdkVersion: z.string().trim().max(40).optional(),
});
export type RuntimeConnectQuery = z.infer<typeof ZRuntimeConnectQuery>;

/** `event: connected` — the first event of every stream. */
export interface RuntimeConnectedEvent {
  connectionId: string;
  /** The server writes at least one event this often; a quieter stream is dead. */
  heartbeatMs: number;
}

/** `event: job` — run this tool and post the result. */
export interface RuntimeJobEvent {
  jobId: string;
  tool: string;
  args: unknown;
  stepId: string;
  runId: string;
}

/** `event: cancel` — stop the job (the replay was cancelled or the wait timed out). */
export interface RuntimeCancelEvent {
  jobId: string;
  reason: string;
}

/** `POST /api/v1/runtimes/jobs/:jobId/result` */
export const ZRuntimeJobResult = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), output: z.unknown().optional() }),
  z.object({ ok: z.literal(false), error: z.string().max(10_000, "error has at most 10,000 characters") }),
]);
export type RuntimeJobResult = z.infer<typeof ZRuntimeJobResult>;

/** A connected runtime as the dashboard and the replay service see it. */
export const ZConnectedRuntime = z.object({
  id: z.string(),
  name: z.string(),
  tools: z.array(z.string()),
  sdkVersion: z.string().nullable(),
  connectedAt: z.string(),
  lastSeenAt: z.string(),
});
export type ConnectedRuntime = z.infer<typeof ZConnectedRuntime>;

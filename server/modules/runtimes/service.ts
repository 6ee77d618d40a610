import { randomUUID } from "node:crypto";
import type { RuntimeJobEvent, ConnectedRuntime, RuntimeJobResult } from "@shared/schemas/runtimes.ts";
import type { AppDeps } from "../../deps.ts";
import { conflict, notFound } from "../../lib/errors.ts";
import { closedChannel, getPresence, inboxChannel, listPresences, toConnectedRuntime } from "./presence.ts";

/**
 * Dispatch of workflow steps to the user's own connected runtimes. The caller (a replay, on any instance) picks a
 * connection that has the tool, publishes the job on that connection's inbox channel — the instance holding the
 * stream forwards it and acknowledges — and waits on the job's channel for the result the runtime posts to any
 * instance. The end of the connection, a missing acknowledgement, the timeout and the caller's signal all end the
 * wait at once.
 */

export const DEFAULT_JOB_TIMEOUT_MS = 5 * 60_000;
/** The holding instance acknowledges within milliseconds; silence means the job went nowhere. */
const ACCEPT_TIMEOUT_MS = 10_000;
/** Catches a connection whose instance died without saying so: its presence expires. */
const WATCH_INTERVAL_MS = 5_000;

const jobKey = (jobId: string) => `runtime-job:${jobId}`;
const claimKey = (jobId: string) => `runtime-job:${jobId}:claimed`;
/** Acknowledgement and result of one job, for the instance waiting on it. */
export const jobChannel = (jobId: string) => `runtime-job:${jobId}`;

export type InboxMessage = { type: "job"; job: RuntimeJobEvent } | { type: "cancel"; jobId: string; reason: string };
export type JobMessage = { type: "accepted" } | { type: "result"; result: RuntimeJobResult };

export class NoConnectedRuntimeError extends Error {
  constructor(readonly tool: string) {
    super(
      `No connected runtime has the tool "${tool}" — connect one with runtime.connect(), or keep the step recorded`,
    );
    this.name = "NoConnectedRuntimeError";
  }
}

/** A job that did not produce an output: the tool threw (its message), or the wait ended for a stated reason. */
export class RuntimeJobError extends Error {
  constructor(
    readonly reason: "tool_error" | "disconnected" | "not_accepted" | "timeout" | "cancelled",
    message: string,
  ) {
    super(message);
    this.name = "RuntimeJobError";
  }
}

export interface RuntimeCall {
  tool: string;
  args: unknown;
  stepId: string;
  runId: string;
}

export async function listConnectedRuntimes(deps: Pick<AppDeps, "store">, orgId: string): Promise<ConnectedRuntime[]> {
  return (await listPresences(deps, orgId)).map(toConnectedRuntime);
}

/** Runs one tool call on a connected runtime of the organisation and resolves with the tool's output. */
export async function runOnConnectedRuntime(
  deps: Pick<AppDeps, "store">,
  orgId: string,
  call: RuntimeCall,
  signal?: AbortSignal,
  options: { timeoutMs?: number } = {},
): Promise<unknown> {
  const { store } = deps;
  const timeoutMs = options.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  signal?.throwIfAborted();
  const candidates = (await listPresences(deps, orgId)).filter((p) => p.tools.includes(call.tool));
  if (candidates.length === 0) throw new NoConnectedRuntimeError(call.tool);
  // Spread over the organisation's runtimes; any of them can run the tool.
  const target = candidates[Math.floor(Math.random() * candidates.length)]!;
  const jobId = randomUUID();
  const disconnected = () =>
    new RuntimeJobError(
      "disconnected",
      `The runtime "${target.name}" disconnected before the tool "${call.tool}" finished`,
    );

  let settle!: { resolve: (v: unknown) => void; reject: (e: Error) => void };
  const outcome = new Promise<unknown>((resolve, reject) => (settle = { resolve, reject }));
  outcome.catch(() => {}); // may settle before it is awaited below
  let accepted = false;
  const cleanups: (() => void)[] = [];
  try {
    cleanups.push(
      await store.subscribe(jobChannel(jobId), (raw) => {
        const message = JSON.parse(raw) as JobMessage;
        if (message.type === "accepted") accepted = true;
        else if (message.result.ok) settle.resolve(message.result.output ?? null);
        else settle.reject(new RuntimeJobError("tool_error", message.result.error));
      }),
    );
    cleanups.push(await store.subscribe(closedChannel(target.id), () => settle.reject(disconnected())));
    await store.set(jobKey(jobId), JSON.stringify({ orgId, connectionId: target.id }), timeoutMs + 60_000);
    // Subscribed first, then checked: a connection that ended in between is caught here, a later end by the channel.
    if (!(await getPresence(deps, target.id))) throw disconnected();
    const message: InboxMessage = { type: "job", job: { jobId, ...call } };
    await store.publish(inboxChannel(target.id), JSON.stringify(message));

    const timers = [
      setTimeout(
        () =>
          settle.reject(
            new RuntimeJobError("timeout", `The tool "${call.tool}" did not finish within ${timeoutMs} ms`),
          ),
        timeoutMs,
      ),
      setTimeout(() => {
        if (!accepted)
          settle.reject(new RuntimeJobError("not_accepted", `The runtime "${target.name}" did not take the job`));
      }, ACCEPT_TIMEOUT_MS),
    ];
    const watch = setInterval(() => {
      getPresence(deps, target.id).then(
        (presence) => presence || settle.reject(disconnected()),
        () => {},
      );
    }, WATCH_INTERVAL_MS);
    const onAbort = () => settle.reject(new RuntimeJobError("cancelled", `The tool "${call.tool}" was cancelled`));
    signal?.addEventListener("abort", onAbort, { once: true });
    cleanups.push(() => {
      for (const t of timers) clearTimeout(t);
      clearInterval(watch);
      signal?.removeEventListener("abort", onAbort);
    });
    return await outcome;
  } catch (error) {
    if (error instanceof RuntimeJobError && ["timeout", "cancelled", "not_accepted"].includes(error.reason)) {
      const cancel: InboxMessage = { type: "cancel", jobId, reason: error.message };
      await store.publish(inboxChannel(target.id), JSON.stringify(cancel)).catch(() => {});
    }
    throw error;
  } finally {
    for (const cleanup of cleanups) cleanup();
    await store.delete(jobKey(jobId)).catch(() => {});
  }
}

/**
 * A runtime's answer to a job. Only a key of the job's organisation may post it (another organisation's key learns
 * nothing, not even that the job exists), and only the first answer counts.
 */
export async function acceptJobResult(
  deps: Pick<AppDeps, "store">,
  orgId: string,
  jobId: string,
  result: RuntimeJobResult,
): Promise<void> {
  const raw = await deps.store.get(jobKey(jobId));
  const job = raw ? (JSON.parse(raw) as { orgId: string }) : null;
  if (job?.orgId !== orgId) throw notFound("No job with that id is waiting for a result");
  const { count } = await deps.store.increment(claimKey(jobId), 10 * 60_000);
  if (count > 1) throw conflict("This job already has a result");
  const message: JobMessage = { type: "result", result };
  await deps.store.publish(jobChannel(jobId), JSON.stringify(message));
}

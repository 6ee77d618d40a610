import type { ConnectedRuntime } from "@shared/schemas/runtimes.ts";
import type { AppDeps } from "../../deps.ts";

/**
 * Which runtimes are connected, in the shared store so every instance sees every connection: one key per
 * connection (expiring unless the instance holding its stream refreshes it) and a set per organisation listing
 * the connection ids. A member whose key has expired — its instance died without cleaning up — is dropped on read.
 */

export const HEARTBEAT_MS = 10_000;
/** Three missed heartbeats and a connection is gone. */
export const PRESENCE_TTL_MS = 3 * HEARTBEAT_MS;

const presenceKey = (connectionId: string) => `runtime:${connectionId}`;
const orgIndexKey = (orgId: string) => `org:${orgId}:runtimes`;
/** Jobs and cancellations for the instance holding the connection's stream. */
export const inboxChannel = (connectionId: string) => `runtime:${connectionId}:inbox`;
/** Announces the end of a connection to whoever waits on one of its jobs. */
export const closedChannel = (connectionId: string) => `runtime:${connectionId}:closed`;

export interface Presence extends ConnectedRuntime {
  orgId: string;
  /** The server instance holding the stream. */
  instanceId: string;
}

type StoreDeps = Pick<AppDeps, "store">;

export async function savePresence({ store }: StoreDeps, presence: Presence): Promise<void> {
  await store.set(presenceKey(presence.id), JSON.stringify(presence), PRESENCE_TTL_MS);
  await store.setAdd(orgIndexKey(presence.orgId), presence.id, PRESENCE_TTL_MS);
}

export async function removePresence({ store }: StoreDeps, presence: Pick<Presence, "id" | "orgId">): Promise<void> {
  await Promise.all([
    store.delete(presenceKey(presence.id)),
    store.setRemove(orgIndexKey(presence.orgId), presence.id),
  ]);
  await store.publish(closedChannel(presence.id), "closed");
}

export async function getPresence({ store }: StoreDeps, connectionId: string): Promise<Presence | null> {
  const raw = await store.get(presenceKey(connectionId));
  return raw ? (JSON.parse(raw) as Presence) : null;
}

/** Every live connection of the organisation, oldest first. */
export async function listPresences(deps: StoreDeps, orgId: string): Promise<Presence[]> {
  const ids = await deps.store.setMembers(orgIndexKey(orgId));
  const found = await Promise.all(ids.map((id) => getPresence(deps, id)));
  const live: Presence[] = [];
  for (const [i, presence] of found.entries()) {
    // The org check is belt and braces: ids are random, and only this module writes either key.
    if (presence?.orgId === orgId) live.push(presence);
    else await deps.store.setRemove(orgIndexKey(orgId), ids[i]!);
  }
  return live.sort((a, b) => a.connectedAt.localeCompare(b.connectedAt));
}

/** What the dashboard and the replay service see of a connection. */
export function toConnectedRuntime({ id, name, tools, sdkVersion, connectedAt, lastSeenAt }: Presence) {
  return { id, name, tools, sdkVersion, connectedAt, lastSeenAt } satisfies ConnectedRuntime;
}

/** What the JSON viewer knows about a value without drawing it: its shape, its search matches, what is open. */

export type Json = unknown;
export type Container = Record<string, Json> | Json[];

/** Array items and object keys shown at first; "show more" adds five pages. */
export const ARRAY_PAGE = 100;
/** Strings longer than this fold after this many characters. */
export const LONG_STRING = 400;
/** A search stops after this many nodes, so typing stays instant on huge payloads. */
const SEARCH_NODE_LIMIT = 50_000;
/** Values up to this many nodes are read at a glance: no search box. */
export const SMALL_VALUE = 12;

export function isContainer(v: Json): v is Container {
  return typeof v === "object" && v !== null;
}

export function entriesOf(v: Container): [string, Json][] {
  return Array.isArray(v) ? v.map((item, i) => [String(i), item]) : Object.entries(v);
}

export function sizeOf(v: Container): number {
  return Array.isArray(v) ? v.length : Object.keys(v).length;
}

/** The root's path is `$`; a separator no key contains keeps `a.b` apart from `a` › `b`. */
export const ROOT_PATH = "$";
export const childPath = (path: string, key: string) => `${path}\u0001${key}`;

export function primitiveText(v: Json): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "undefined";
  // Parsed JSON holds nothing else than strings, numbers, booleans and null here.
  return JSON.stringify(v);
}

export interface SearchResult {
  /** Paths whose key or value matches. */
  hits: ReadonlySet<string>;
  /** Containers to open so every hit is visible. */
  open: ReadonlySet<string>;
  count: number;
  /** The search gave up before the end of a huge value. */
  truncated: boolean;
}

const NO_SEARCH: SearchResult = { hits: new Set(), open: new Set(), count: 0, truncated: false };

/** Whether a value has more than `limit` nodes (stops counting there). */
export function isLarger(root: Json, limit: number): boolean {
  let count = 0;
  const stack: Json[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (++count > limit) return true;
    if (isContainer(value)) for (const [, v] of entriesOf(value)) stack.push(v);
  }
  return false;
}

/** Keys (not array indexes) and primitive values containing `query`, case-insensitively, in document order. */
export function searchJson(root: Json, query: string, nodeLimit = SEARCH_NODE_LIMIT): SearchResult {
  const q = query.trim().toLowerCase();
  if (!q) return NO_SEARCH;
  const hits = new Set<string>();
  const open = new Set<string>();
  let visited = 0;
  let count = 0;
  const stack: { value: Json; path: string; ancestors: string[]; key: string | null }[] = [
    { value: root, path: ROOT_PATH, ancestors: [], key: null },
  ];
  while (stack.length > 0 && visited < nodeLimit) {
    const { value, path, ancestors, key } = stack.pop()!;
    visited++;
    let hit = key !== null && key.toLowerCase().includes(q);
    if (!isContainer(value)) hit ||= primitiveText(value).toLowerCase().includes(q);
    if (hit) {
      count++;
      hits.add(path);
      for (const a of ancestors) open.add(a);
    }
    if (isContainer(value)) {
      const next = [...ancestors, path];
      const entries = entriesOf(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i]!;
        stack.push({ value: v, path: childPath(path, k), ancestors: next, key: Array.isArray(value) ? null : k });
      }
    }
  }
  return { hits, open, count, truncated: stack.length > 0 };
}

export interface OpenState {
  result: SearchResult;
  /** Levels open at first. */
  defaultDepth: number;
  /** Open state the user chose, by path; `all` overrides the defaults after "expand all" / "collapse all". */
  toggles: ReadonlyMap<string, boolean>;
  all: boolean | null;
}

/** A search match's ancestors are open, then the user's choice for this node, then expand/collapse all, then depth. */
export function isOpen(state: OpenState, path: string, depth: number): boolean {
  if (state.result.open.has(path)) return true;
  const chosen = state.toggles.get(path);
  if (chosen !== undefined) return chosen;
  if (state.all !== null) return state.all;
  return depth < state.defaultDepth;
}

/** Whether a payload is worth a viewer: null, `{}`, `[]` and "" are shown as "nothing recorded" instead. */
export function isEmptyJson(value: Json): boolean {
  return (
    value === null ||
    value === undefined ||
    (typeof value === "object" && Object.keys(value).length === 0) ||
    (typeof value === "string" && value.length === 0)
  );
}

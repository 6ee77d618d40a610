/** Readers of the loosely typed values wire formats carry, shared by every mapper in this folder. */

export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** A non-negative token count that fits the database's integer column. */
export function count(v: unknown): number | undefined {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 2_147_483_647 ? n : undefined;
}

/** A JSON text parsed, or the value itself when it is not JSON (or not a string). */
export function parseJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return v;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return v;
  }
}

/** A JSON text parsed (any JSON value, a quoted string included), or the text itself when it is not JSON. */
export function parseAnyJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A text cut to `max` characters, an ellipsis marking the cut. */
export const truncate = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

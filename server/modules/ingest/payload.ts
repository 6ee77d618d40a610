/**
 * What PostgreSQL can store of the free-form parts of an item (names, texts, JSON payloads, their keys), decided
 * before the database sees them, so that one item never fails the statement its neighbours share.
 *
 * Characters: PostgreSQL's text and jsonb hold neither U+0000 nor a UTF-16 surrogate without its other half (JSON
 * can carry both, as `\u0000` and `\ud800`). Both are stored as U+FFFD, the replacement character, rather than
 * refused: they turn up in real model output and tool results (binary data, a string cut in the middle of an
 * emoji), where refusing the span would lose everything else it says; U+FFFD keeps the text's length and shows
 * where something was (dropping it would join "a\0b" into "ab"). Keys are cleaned the same way; two keys that
 * differ only there become one, the last one written winning.
 *
 * Depth: JSON nested deeper than `MAX_JSON_DEPTH` is refused for the item, naming the field. PostgreSQL's jsonb
 * parses 10,000 levels (measured on 15, with the default 2 MB stack), but Node's JSON.stringify, which writes every
 * payload on its way to the database, throws at about 4,500; 64 is far beyond any real message or tool schema.
 */

export const MAX_JSON_DEPTH = 64;

const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A string as PostgreSQL can store it: NUL and lone surrogates as U+FFFD. */
export const storableText = (s: string): string => s.replace(UNSTORABLE, "\uFFFD");

/** A payload nested deeper than `MAX_JSON_DEPTH`. */
export class NestedTooDeep extends Error {
  constructor() {
    super(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

/**
 * A value (parsed JSON) as PostgreSQL can store it: every string and key cleaned; the same value when nothing
 * needed cleaning, so clean payloads are never copied. Throws `NestedTooDeep`; never recurses deeper than the bound.
 */
export function storable(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return storableText(value);
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_JSON_DEPTH) throw new NestedTooDeep();
  if (Array.isArray(value)) {
    const items = value as unknown[];
    let copy: unknown[] | null = null;
    for (let i = 0; i < items.length; i++) {
      const cleaned = storable(items[i], depth + 1);
      if (cleaned !== items[i] && !copy) copy = items.slice(0, i);
      if (copy) copy.push(cleaned);
    }
    return copy ?? items;
  }
  let changed = false;
  const entries = Object.entries(value).map(([k, v]) => {
    const key = storableText(k);
    const cleaned = storable(v, depth + 1);
    if (key !== k || cleaned !== v) changed = true;
    return [key, cleaned] as const;
  });
  // fromEntries defines own properties, so a `__proto__` key stays a key and never becomes a prototype.
  return changed ? Object.fromEntries(entries) : value;
}

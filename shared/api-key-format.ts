import { crc32 } from "node:zlib";

/**
 * Echos API keys: `echos_<scope>_<32 random base62><6 base62 CRC32 of the random part>`.
 * The fixed prefix makes leaked keys easy to spot (secret scanners); the checksum lets anyone — the SDK, a
 * scanner, the server before any database lookup — tell a mistyped or truncated key from a real one, offline.
 */
export const API_KEY_SCOPES = { i: "ingest", f: "full" } as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[keyof typeof API_KEY_SCOPES];

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const PATTERN = /^echos_([if])_([0-9A-Za-z]{38})$/;

function toBase62(value: number, width: number): string {
  let out = "";
  let n = value;
  for (let i = 0; i < width; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function checksumOf(random: string): string {
  return toBase62(crc32(random), CHECKSUM_LENGTH);
}

/** `randomBytes` is injected so this module stays usable wherever `node:crypto` is. */
export function formatApiKey(scope: ApiKeyScope, randomBytes: (n: number) => Uint8Array): string {
  const letter = scope === "ingest" ? "i" : "f";
  let random = "";
  // Rejection sampling keeps every base62 character equally likely.
  while (random.length < RANDOM_LENGTH) {
    for (const byte of randomBytes(64)) {
      if (byte < 248 && random.length < RANDOM_LENGTH) random += BASE62[byte % 62];
    }
  }
  return `echos_${letter}_${random}${checksumOf(random)}`;
}

export type ParsedApiKey =
  { ok: true; scope: ApiKeyScope; prefix: string } | { ok: false; reason: "malformed" | "checksum" };

export function parseApiKey(key: string): ParsedApiKey {
  const match = PATTERN.exec(key);
  if (!match) return { ok: false, reason: "malformed" };
  const [, letter, body] = match as unknown as [string, "i" | "f", string];
  const random = body.slice(0, RANDOM_LENGTH);
  if (checksumOf(random) !== body.slice(RANDOM_LENGTH)) return { ok: false, reason: "checksum" };
  return { ok: true, scope: API_KEY_SCOPES[letter], prefix: key.slice(0, 16) };
}

import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { TEST_DATABASE_URL } from "./env.ts";

/**
 * A database of its own for a test file whose servers must be the only job workers on it (a queued e-mail must
 * reach this file's SMTP server, not be sent by another file's server on the shared test database).
 * On PostgreSQL: a fresh database next to TEST_DATABASE_URL, dropped afterwards. Embedded: each server already
 * has an in-memory database of its own, so nothing to do.
 */
export async function isolatedDatabase(): Promise<{
  env: Record<string, string>;
  url: string | null;
  drop: () => Promise<void>;
}> {
  if (!TEST_DATABASE_URL) return { env: {}, url: null, drop: async () => {} };
  const name = `echos_iso_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASE_URL } from "../../tests/helpers/env.ts";
import { freePort } from "../../tests/helpers/redis-server.ts";
import { type Database, createDatabase, rowsOf } from "./db.ts";
import { databaseUnavailableCode, isDatabaseUnavailable, isDriverNullSocketWrite } from "./db-availability.ts";

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error,
  );
}

describe("what counts as the database being unavailable", () => {
  it("a server nobody listens on is unavailable (as drizzle wraps the driver's error)", async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
    const database = await createDatabase({ database: { url, ssl: false, poolMax: 1 } });
    try {
      const error = await failure(database.db.execute(sql`select 1`));
      expect(databaseUnavailableCode(error)).toBe("ECONNREFUSED");
    } finally {
      await database.close();
    }
  });

  describe.skipIf(!TEST_DATABASE_URL)("on a real server (needs TEST_DATABASE_URL)", () => {
    let database: Database;
    beforeAll(async () => {
      database = await createDatabase({ database: { url: TEST_DATABASE_URL!, ssl: false, poolMax: 1 } });
    });
    afterAll(() => database?.close());

    it("a wrong query is not an outage: it stays the error it was", async () => {
      expect(isDatabaseUnavailable(await failure(database.db.execute(sql`select * from no_such_table`)))).toBe(false);
      expect(isDatabaseUnavailable(await failure(database.db.execute(sql`select 1/0`)))).toBe(false);
    });

    it("a terminated connection is an outage", async () => {
      const other = await createDatabase({ database: { url: TEST_DATABASE_URL!, ssl: false, poolMax: 1 } });
      try {
        // One connection in that pool: the pid asked for first is the one that runs the sleep.
        const [row] = rowsOf<{ pid: number }>(await other.db.execute(sql`select pg_backend_pid() as pid`));
        const pending = failure(other.db.execute(sql`select pg_sleep(5)`));
        await new Promise((r) => setTimeout(r, 300));
        await database.db.execute(sql`select pg_terminate_backend(${row!.pid})`);
        // 57P01 when the server's goodbye is read first, CONNECTION_CLOSED when the socket's end is.
        expect(["57P01", "CONNECTION_CLOSED"]).toContain(databaseUnavailableCode(await pending));
      } finally {
        await other.close();
      }
    });
  });
});

describe("the one uncaught driver error the process survives", () => {
  // Real TypeErrors, thrown by reading a property of null inside functions of these names.
  function thrownIn(name: string): unknown {
    const socket = null as unknown as { write(chunk: string): void };
    const functions: Record<string, () => void> = {
      nextWrite() {
        socket.write("x");
      },
      somethingElse() {
        socket.write("x");
      },
    };
    try {
      functions[name]!();
    } catch (error) {
      return error;
    }
    throw new Error("expected a TypeError");
  }

  it("is a TypeError about writing to null, thrown from nextWrite", () => {
    expect(isDriverNullSocketWrite(thrownIn("nextWrite"))).toBe(true);
  });

  it("is nothing else: the same error elsewhere, or another error, still ends the process", () => {
    expect(isDriverNullSocketWrite(thrownIn("somethingElse"))).toBe(false);
    expect(isDriverNullSocketWrite(new Error("Cannot read properties of null (reading 'write')"))).toBe(false);
    expect(isDriverNullSocketWrite(new TypeError("Cannot read properties of null (reading 'end')"))).toBe(false);
    expect(isDriverNullSocketWrite("nextWrite")).toBe(false);
  });
});

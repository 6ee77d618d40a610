/**
 * Tests never read DATABASE_URL or REDIS_URL: only the test-only variables below, so a test run can never
 * touch a real deployment's database. Unset → the embedded defaults (PGlite in memory, in-memory store).
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;
/**
 * The Node binary that runs the built server (dist/index.js) in the tests that start it; unset → the one running
 * the tests. `.ci/run` points it at Node 22 to run those tests on the declared target as well.
 */
export const TEST_SERVER_NODE = process.env.TEST_SERVER_NODE || process.execPath;

/** Environment for a server under test: embedded or real services, quiet logs, any free port. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "error",
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    // Every test server on the machine counts against one shared counter for 127.0.0.1 in Redis, so parallel files
    // would refuse each other; the tests of rate limiting set their own limits.
    RATE_LIMIT_MAX: "100000",
    ...overrides,
  };
}

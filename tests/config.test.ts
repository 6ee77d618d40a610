import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, unneededVariablesNotice } from "../server/config.ts";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const SECRET = "x".repeat(32);

describe("configuration", () => {
  it("refuses production without DATABASE_URL and secrets, naming each problem on its own line", () => {
    const problems = problemsOf({ NODE_ENV: "production" });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^DATABASE_URL is required in production/);
    expect(problems[1]).toMatch(/^SESSION_SECRET is required in production/);
    expect(problems[2]).toMatch(/^ENCRYPTION_KEY is required in production/);
  });

  it("refuses secrets shorter than 32 characters and reports format errors in the same pass", () => {
    const problems = problemsOf({
      NODE_ENV: "production",
      DATABASE_URL: "mysql://nope",
      SESSION_SECRET: "short",
      ENCRYPTION_KEY: SECRET,
      PORT: "eighty",
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "DATABASE_URL must start with postgres:// or postgresql://",
        "SESSION_SECRET must be at least 32 characters (got 5)",
        expect.stringMatching(/^PORT must be a number/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it("accepts a complete production configuration with production defaults", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      DATABASE_URL: "postgres://u:p@db.example.com:5432/echos",
      SESSION_SECRET: SECRET,
      ENCRYPTION_KEY: SECRET,
      ECHOS_API_URL: "https://echos.example.com/",
    });
    expect(config.database).toEqual({
      url: "postgres://u:p@db.example.com:5432/echos",
      ssl: true,
      poolMax: 10,
      statementTimeoutMs: 15_000,
    });
    expect(config.trustProxy).toBe(1);
    expect(config.log).toMatchObject({ level: "info", json: true, files: true });
    expect(config.publicUrl).toBe("https://echos.example.com");
    expect(config.port).toBe(5000);
  });

  it("honours sslmode in DATABASE_URL over the production default", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      DATABASE_URL: "postgres://u@10.0.0.5/echos?sslmode=disable",
      SESSION_SECRET: SECRET,
      ENCRYPTION_KEY: SECRET,
    });
    expect(config.database).toMatchObject({ ssl: false });
  });

  it("generates development secrets once and keeps them in the data dir", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "echos-config-"));
    const first = loadConfig({ ECHOS_DATA_DIR: dataDir });
    expect(first.env).toBe("development");
    expect(first.database).toEqual({ embedded: true, dir: join(dataDir, "pglite") });
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(existsSync(join(dataDir, "secrets.json"))).toBe(true);
    const second = loadConfig({ ECHOS_DATA_DIR: dataDir });
    expect(second.sessionSecret).toBe(first.sessionSecret);
    expect(second.encryptionKey).toBe(first.encryptionKey);
    expect(JSON.parse(readFileSync(join(dataDir, "secrets.json"), "utf8"))).toEqual({
      sessionSecret: first.sessionSecret,
      encryptionKey: first.encryptionKey,
    });
  });

  it("exits non-zero with one line per problem and no stack trace when the server is misconfigured", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "server/index.ts"], {
      env: { PATH: process.env.PATH, NODE_ENV: "production", SESSION_SECRET: "short" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^Configuration error: DATABASE_URL is required/),
      "Configuration error: SESSION_SECRET must be at least 32 characters (got 5)",
      expect.stringMatching(/^Configuration error: ENCRYPTION_KEY is required/),
    ]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
  it("reads the http allow-lists as comma lists and refuses entries that are not host names or CIDRs", () => {
    const config = loadConfig({
      HTTP_ALLOW_HOSTS: "api.internal, *.corp.example",
      HTTP_ALLOW_CIDRS: "10.0.0.0/8,fd00::/8",
    });
    expect(config.httpGuard).toEqual({
      allowHosts: ["api.internal", "*.corp.example"],
      allowCidrs: ["10.0.0.0/8", "fd00::/8"],
    });
    expect(loadConfig({}).httpGuard).toEqual({ allowHosts: [], allowCidrs: [] });
    expect(problemsOf({ HTTP_ALLOW_HOSTS: "http://x/", HTTP_ALLOW_CIDRS: "10.0.0.0/33" })).toEqual([
      "HTTP_ALLOW_HOSTS.0 must be a comma-separated list of host names like api.internal",
      "HTTP_ALLOW_CIDRS.0 must be a comma-separated list of CIDRs like 10.0.0.0/8 or fd00::/8",
    ]);
  });

  it("names ECHOS_SYSTEM_API_KEY and ECHOS_API_KEY as not needed when set, without keeping their values", () => {
    const value = "echos_f_NotNeeded0123456789abcdefghijkLMNOP";
    expect(loadConfig({ NODE_ENV: "test" }).unneededVariables).toEqual([]);
    expect(loadConfig({ NODE_ENV: "test", ECHOS_API_KEY: " " }).unneededVariables).toEqual([]);
    const one = loadConfig({ NODE_ENV: "test", ECHOS_SYSTEM_API_KEY: value });
    expect(one.unneededVariables).toEqual(["ECHOS_SYSTEM_API_KEY"]);
    expect(JSON.stringify(one)).not.toContain(value);
    const both = loadConfig({ NODE_ENV: "test", ECHOS_SYSTEM_API_KEY: value, ECHOS_API_KEY: value });
    expect(unneededVariablesNotice(both.unneededVariables)).toMatch(
      /^ECHOS_SYSTEM_API_KEY and ECHOS_API_KEY are set but not needed: Echos runs replays inside the server/,
    );
    expect(unneededVariablesNotice([])).toBeNull();
  });
});

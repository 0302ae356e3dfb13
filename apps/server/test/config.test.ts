import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";

describe("loadConfig", () => {
  it("defaults to the embedded database, better-sqlite3, the offline model, port 3000", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      // data/ at the workspace root, not under apps/server where vitest runs.
      databaseUrl: `file:${fileURLToPath(new URL("../../../data/chatlog.db", import.meta.url))}`,
      driver: "better-sqlite3",
      model: "offline",
      apiToken: undefined,
      maxBodyBytes: 65536,
      persistDeltas: true,
    });
  });

  it("picks the driver from DATABASE_URL and CHATLOG_DRIVER", () => {
    expect(loadConfig({ DATABASE_URL: "file:/tmp/x.db" }).driver).toBe("better-sqlite3");
    expect(loadConfig({ DATABASE_URL: "file:/tmp/x.db", CHATLOG_DRIVER: "libsql" }).driver).toBe("libsql");
    for (const url of [
      "libsql://db.turso.io",
      "https://db.example",
      "http://127.0.0.1:8080",
      "wss://db.example",
    ]) {
      const config = loadConfig({ DATABASE_URL: url, DATABASE_AUTH_TOKEN: "t" });
      expect(config.driver).toBe("libsql");
      expect(config.databaseAuthToken).toBe("t");
    }
  });

  it("rejects invalid settings with a message naming the variable", () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ PORT: "80a" }, /PORT/],
      [{ PORT: "70000" }, /PORT/],
      [{ CHATLOG_DRIVER: "pg" }, /CHATLOG_DRIVER/],
      [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL/],
      [{ DATABASE_URL: "postgres://x", CHATLOG_DRIVER: "libsql" }, /Postgres URL/],
      [{ DATABASE_URL: "libsql://x", CHATLOG_DRIVER: "better-sqlite3" }, /remote/],
      [{ CHATLOG_MODEL: "gpt-4o-mini" }, /CHATLOG_OPENAI_BASE_URL/],
      [{ CHATLOG_MODEL: "m", CHATLOG_OPENAI_BASE_URL: "ftp://x" }, /http/],
      [{ CHATLOG_OFFLINE_DELAY_MS: "-1" }, /CHATLOG_OFFLINE_DELAY_MS/],
      [{ LOG_LEVEL: "loud" }, /LOG_LEVEL/],
      [{ CHATLOG_MAX_BODY_BYTES: "0" }, /CHATLOG_MAX_BODY_BYTES/],
    ];
    for (const [env, message] of bad) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    }
  });

  it("accepts an OpenAI-compatible model with its endpoint", () => {
    const config = loadConfig({
      CHATLOG_MODEL: "llama3",
      CHATLOG_OPENAI_BASE_URL: "http://localhost:11434/v1",
      CHATLOG_OPENAI_API_KEY: "k",
    });
    expect(config).toMatchObject({
      model: "llama3",
      openaiBaseUrl: "http://localhost:11434/v1",
      openaiApiKey: "k",
    });
  });
});

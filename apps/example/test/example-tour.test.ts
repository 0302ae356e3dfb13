import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type RawDb, rawFile, rawPostgres, tempDir } from "@chatlog/conformance";
import { postgresAvailable } from "@chatlog/pg-test-cluster";
import { testDatabase } from "@chatlog/pg-test-cluster/vitest";
import { afterEach, describe, expect, it } from "vitest";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);

/** A database the tour runs on: the environment that names it, raw access to it, its removal. */
interface Database {
  env: Record<string, string>;
  raw: RawDb & { close(): unknown };
  dispose(): Promise<void>;
}

const CONFIGURATIONS: { name: string; create(): Promise<Database> }[] = [
  {
    name: "SQLite file (CHATLOG_EXAMPLE_DB)",
    async create() {
      const { dir, remove } = tempDir();
      const file = join(dir, "example.db");
      let raw: (RawDb & { close(): unknown }) | undefined;
      return {
        env: { CHATLOG_EXAMPLE_DB: file },
        get raw() {
          raw ??= rawFile(file);
          return raw;
        },
        async dispose() {
          raw?.close();
          remove();
        },
      };
    },
  },
  ...(postgresAvailable()
    ? [
        {
          name: "Postgres (CHATLOG_EXAMPLE_DB)",
          async create(): Promise<Database> {
            const database = await testDatabase();
            const raw = rawPostgres(database.url);
            return {
              env: { CHATLOG_EXAMPLE_DB: database.url },
              raw,
              async dispose() {
                await raw.close();
                await database.drop();
              },
            };
          },
        },
      ]
    : []),
];

/** Runs the tour as `pnpm example` does (tsx src/main.ts), on `env`'s database only. */
async function tour(env: Record<string, string>): Promise<string> {
  const { CHATLOG_EXAMPLE_DB: _file, DATABASE_URL: _url, CHATLOG_DRIVER: _driver, ...rest } = process.env;
  const { stdout } = await run(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: appDir,
    env: { ...rest, ...env },
  });
  return stdout;
}

const line = (output: string, label: string) =>
  output
    .split("\n")
    .find((l) => l.startsWith(label))
    ?.slice(34)
    .trim();

for (const configuration of CONFIGURATIONS) {
  describe(`apps/example on ${configuration.name}`, () => {
    let database: Database | undefined;
    afterEach(async () => {
      await database?.dispose();
    });

    it("stores the tour once: a second run finds every write already stored", async () => {
      database = await configuration.create();
      const first = await tour(database.env);
      expect(line(first, "user message stored now?")).toBe("true");
      expect(line(first, "retry of req-1 stored again?")).toBe("false");
      const second = await tour(database.env);
      expect(line(second, "user message stored now?")).toBe("false");
      // The deltas (seqs 6 to 9) were compacted away; no seq is reused, none is stored twice.
      const stored = await database.raw.all(
        "SELECT seq, type FROM chat_events WHERE conversation_id = ? ORDER BY seq",
        "example-weather",
      );
      expect(stored.map((row) => `${row.seq}:${row.type}`)).toEqual([
        "1:user_message",
        "2:tool_call",
        "3:tool_result",
        "4:assistant_message",
        "5:user_message",
        "10:assistant_message",
      ]);
      expect(line(second, "events in the log (seq:type)")).toBe(
        JSON.stringify(stored.map((r) => `${r.seq}:${r.type}`)),
      );
      expect(second).toContain(
        '{"role":"tool","tool_call_id":"call-1","content":"{\\"temp_c\\":18,\\"sky\\":\\"cloudy\\"}"}',
      );
    });
  });
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { spawnHranaServer } from "../src/index.ts";

describe("the server as a child process", () => {
  it("serves clients, reports its counters over the admin endpoint, and stops on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hrana-child-"));
    const server = await spawnHranaServer({ file: join(dir, "db.sqlite"), authToken: "t" });
    try {
      const client = createClient({ url: server.url, authToken: "t" });
      await client.execute("CREATE TABLE t (x)");
      await client.batch(["INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)"], "write");
      expect((await client.execute("SELECT sum(x) AS s FROM t")).rows[0]?.s).toBe(3);
      expect((await server.stats()).pipelines).toBe(3);
      client.close();
      await server.stop();
      expect(server.process.exitCode).toBe(0);
    } finally {
      await server.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

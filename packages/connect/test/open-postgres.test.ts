import { postgresAvailable } from "@chatlog/pg-test-cluster";
import { testDatabase } from "@chatlog/pg-test-cluster/vitest";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openDatabase, resolveDatabaseTarget } from "../src/index.ts";

describe.runIf(postgresAvailable())("openDatabase on a Postgres URL", () => {
  it.each(["postgres", "postgresql"])(
    "opens %s:// URLs with @chatlog/postgres (migrated, stored in Postgres)",
    async (scheme) => {
      const database = await testDatabase();
      try {
        const url = database.url.replace(/^postgres:/, `${scheme}:`);
        const repo = await openDatabase(resolveDatabaseTarget({ url }));
        await repo.addEvent({ conversationId: "c", type: "user_message", content: "hi" });
        await repo.close();
        // Read back independently of the repository: the row is in that database's chat_events.
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        const { rows } = await client.query("SELECT conversation_id, seq, content FROM chat_events");
        await client.end();
        expect(rows).toEqual([{ conversation_id: "c", seq: "1", content: "hi" }]);
      } finally {
        await database.drop();
      }
    },
  );
});

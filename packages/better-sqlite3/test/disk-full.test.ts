import { join } from "node:path";
import { exportedEvent, tempDir } from "@chatlog/conformance";
import type { ChatEvent } from "@chatlog/core";
import Database from "better-sqlite3";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openChatRepository } from "../src/index.ts";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

function events(n: number): ChatEvent[] {
  return Array.from({ length: n }, (_, i) =>
    exportedEvent({
      id: `e${i}`,
      conversationId: "imp",
      seq: i + 1,
      content: "x".repeat(2_000),
      createdAt: new Date(Date.UTC(2024, 0, 1) + i),
    }),
  );
}

it("a disk that fills up during an import: a one-line STORAGE_ERROR naming the file, nothing imported", async () => {
  const file = join(tmp.dir, "chat.db");
  const client = new Database(file);
  const repo = await openChatRepository({ client });
  try {
    await repo.addEvent({ conversationId: "live", type: "user_message", content: "before" });
    // A size limit stands in for a full disk: SQLite reports both as SQLITE_FULL.
    const pages = client.pragma("page_count", { simple: true }) as number;
    client.pragma(`max_page_count = ${pages + 600}`);
    let caught: unknown;
    try {
      await repo.importEvents(events(1_500));
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: "ChatlogError", code: "STORAGE_ERROR" });
    const message = (caught as Error).message;
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toContain("full");
    expect(message).toContain(file);
    expect((await repo.getEvents("imp")).length).toBe(0);
    // The repository keeps working once there is room again.
    client.pragma("max_page_count = 1073741823");
    expect(
      (await repo.addEvent({ conversationId: "live", type: "user_message", content: "after" })).added,
    ).toBe(true);
    expect((await repo.importEvents(events(1_500))).imported).toBe(1_500);
  } finally {
    await repo.close();
    client.close();
  }
});

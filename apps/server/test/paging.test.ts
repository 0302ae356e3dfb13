import { afterEach, describe, expect, it } from "vitest";
import { EVENT_PAGE, LIST_PAGE } from "../src/http/paging.ts";
import { prepareConversations } from "./helpers/bulk-insert.ts";
import { DRIVERS } from "./helpers/drivers.ts";
import { type Json, jsonOf } from "./helpers/sse.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

const BIG = 20_000;

async function get(url: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(url);
  return { status: response.status, body: await jsonOf(response) };
}

const seqsOf = (events: { seq: number }[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(DRIVERS)("bounded list routes on $name", (driver) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it("GET /history of a 20k-event conversation returns one default page and pages back by cursor", async () => {
    server = await startTestServer(
      driver,
      {},
      {},
      { prepare: (file) => prepareConversations(file, { big: BIG }) },
    );

    const first = await get(`${server.url}/v1/conversations/big/history`);
    expect(first.status).toBe(200);
    expect(first.body.events).toHaveLength(EVENT_PAGE.default);
    expect(seqsOf(first.body.events)).toEqual(range(BIG - EVENT_PAGE.default + 1, BIG));
    expect(first.body.prevBeforeSeq).toBe(BIG - EVENT_PAGE.default + 1);

    const second = await get(
      `${server.url}/v1/conversations/big/history?limit=1000&beforeSeq=${first.body.prevBeforeSeq}`,
    );
    expect(seqsOf(second.body.events)).toEqual(
      range(BIG - EVENT_PAGE.default - 999, BIG - EVENT_PAGE.default),
    );

    // The oldest page says there is nothing older.
    const oldest = await get(`${server.url}/v1/conversations/big/history?limit=10&beforeSeq=11`);
    expect(seqsOf(oldest.body.events)).toEqual(range(1, 10));
    expect(oldest.body.prevBeforeSeq).toBeNull();
    const tooMany = await get(`${server.url}/v1/conversations/big/history?limit=${EVENT_PAGE.max + 1}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe("INVALID_ARGUMENT");
  });

  it("GET /events has the same default and maximum, and a forward cursor that walks every event once", async () => {
    server = await startTestServer(
      driver,
      {},
      {},
      { prepare: (file) => prepareConversations(file, { big: 2500 }) },
    );
    const first = await get(`${server.url}/v1/conversations/big/events`);
    expect(first.body.events).toHaveLength(EVENT_PAGE.default);
    expect((await get(`${server.url}/v1/conversations/big/events?limit=${EVENT_PAGE.max + 1}`)).status).toBe(
      400,
    );
    const seen: number[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const page: { body: Json } = await get(
        `${server.url}/v1/conversations/big/events?afterSeq=${after}&limit=1000`,
      );
      seen.push(...seqsOf(page.body.events));
      after = page.body.nextAfterSeq;
    }
    expect(seen).toEqual(range(1, 2500));
  });

  it("GET /conversations is paged: default page, maximum, cursor over every conversation", async () => {
    const total = LIST_PAGE.default * 2 + 7;
    const counts = Object.fromEntries(
      Array.from({ length: total }, (_, i) => [`c${String(i).padStart(4, "0")}`, 1]),
    );
    server = await startTestServer(driver, {}, {}, { prepare: (file) => prepareConversations(file, counts) });
    const first = await get(`${server.url}/v1/conversations`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.conversations).toHaveLength(LIST_PAGE.default);
    expect((await get(`${server.url}/v1/conversations?limit=${LIST_PAGE.max + 1}`)).status).toBe(400);
    const ids = new Set<string>();
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page: { body: Json } = await get(`${server.url}/v1/conversations?limit=30${query}`);
      for (const c of page.body.conversations) ids.add(c.conversationId);
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(ids.size).toBe(total);
  });

  it("GET /saved and GET /saved/{id} are paged too", async () => {
    server = await startTestServer(
      driver,
      {},
      {},
      { prepare: (file) => prepareConversations(file, { big: 1500 }) },
    );
    const savedIds: string[] = [];
    for (let i = 0; i < LIST_PAGE.default + 5; i++)
      savedIds.push(await server.repo.saveSession("big", `s${i}`));

    const first = await get(`${server.url}/v1/saved`);
    expect(first.body.saved).toHaveLength(LIST_PAGE.default);
    expect(typeof first.body.nextCursor).toBe("string");
    const rest = await get(`${server.url}/v1/saved?cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(rest.body.nextCursor).toBeNull();
    const listed = [...first.body.saved, ...rest.body.saved].map((s: { id: string }) => s.id);
    expect(listed).toEqual([...savedIds].reverse());
    expect((await get(`${server.url}/v1/saved?cursor=not-a-cursor`)).status).toBe(400);
    expect((await get(`${server.url}/v1/saved?limit=${LIST_PAGE.max + 1}`)).status).toBe(400);

    const savedId = savedIds[0];
    const page = await get(`${server.url}/v1/saved/${savedId}`);
    expect(seqsOf(page.body.events)).toEqual(range(1, EVENT_PAGE.default));
    const seen: number[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const next: { body: Json } = await get(
        `${server.url}/v1/saved/${savedId}?afterSeq=${after}&limit=1000`,
      );
      seen.push(...seqsOf(next.body.events));
      after = next.body.nextAfterSeq;
    }
    expect(seen).toEqual(range(1, 1500));
  });
});

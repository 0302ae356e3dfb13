import type pg from "pg";

/**
 * Counts the statements a pool's clients send, by their first words ("BEGIN", "INSERT INTO
 * mastra_messages", ...), to say where a library's time goes: on a database a few hundred
 * microseconds away, every statement is a round trip.
 */
export class StatementCounter {
  readonly counts = new Map<string, number>();

  constructor(pool: pg.Pool) {
    pool.on("connect", (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
        this.add(typeof config === "string" ? config : ((config as { text?: string } | null)?.text ?? "?"));
        return query(config, ...rest);
      };
    });
  }

  /** Keys like "BEGIN", "SELECT public.mastra_threads", "WITH ... INSERT INTO chat_conversations". */
  private add(text: string): void {
    const sql = text.trim().replace(/"/g, "");
    const first = (/^\S+/.exec(sql)?.[0] ?? "?").toUpperCase();
    const write = /\b(INSERT INTO|DELETE FROM|UPDATE)\s+(\S+)/i.exec(sql);
    const read = /\bFROM\s+(\S+)/i.exec(sql);
    let key = first;
    if (first === "SELECT" && read) key = `SELECT ${read[1]}`;
    else if (write) key = `${first === "WITH" ? "WITH ... " : ""}${write[1]?.toUpperCase()} ${write[2]}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** The counts divided by `per`, as "BEGIN 1, INSERT INTO public.mastra_messages 1, ...". */
  describe(per: number): string {
    return [...this.counts].map(([key, n]) => `${key} ${Number((n / per).toFixed(2))}`).join(", ");
  }

  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  reset(): void {
    this.counts.clear();
  }
}

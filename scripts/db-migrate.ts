/**
 * `pnpm db:migrate`: brings the database named by DATABASE_URL up to date with the committed
 * drizzle migrations, through the same driver (and the same migrateWithRetry) the apps use.
 *
 *   DATABASE_URL   unset: file:./data/chatlog.db (embedded, better-sqlite3)
 *                  file:<path> or a bare path: better-sqlite3, or libSQL with CHATLOG_DRIVER=libsql
 *                  libsql://, http(s)://, ws(s)://: libSQL (DATABASE_AUTH_TOKEN when needed)
 *
 * A database written by the old Python system is adopted in place (its duplicate seqs are
 * renumbered). Exits 0 when the schema is current, 1 with a one-line reason otherwise.
 *
 * The drivers are imported by relative path: this script sits outside every workspace package,
 * so importing them here creates no dependency cycle (the drivers depend on @chatlog/schema).
 */

const DEFAULT_URL = "file:./data/chatlog.db";
const REMOTE = /^(libsql|https?|wss?):\/\//i;

type Driver = "better-sqlite3" | "libsql";

interface Target {
  url: string;
  driver: Driver;
}

function target(env: NodeJS.ProcessEnv): Target {
  const url = env.DATABASE_URL?.trim() || DEFAULT_URL;
  const forced = env.CHATLOG_DRIVER?.trim();
  if (forced !== undefined && forced !== "" && forced !== "better-sqlite3" && forced !== "libsql") {
    throw new Error(`CHATLOG_DRIVER must be "better-sqlite3" or "libsql", not "${forced}"`);
  }
  if (REMOTE.test(url)) {
    if (forced === "better-sqlite3")
      throw new Error("better-sqlite3 cannot open a remote URL; unset CHATLOG_DRIVER");
    return { url, driver: "libsql" };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    throw new Error(`unsupported DATABASE_URL scheme: ${redact(url)}`);
  return { url, driver: forced === "libsql" ? "libsql" : "better-sqlite3" };
}

/** What may be printed of a URL: remote URLs lose their credentials and query (tokens). */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "file:") return url;
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return url.split("?")[0] ?? url;
  }
}

async function migrate({ url, driver }: Target, env: NodeJS.ProcessEnv): Promise<void> {
  // Opening runs the driver's migrateWithRetry (drizzle's migrator, retried while another
  // process holds the lock); closing right after leaves only the migrated file behind.
  if (driver === "libsql") {
    const { openChatRepository } = await import("../packages/libsql/src/index.ts");
    const libsqlUrl = REMOTE.test(url) || url.startsWith("file:") || url === ":memory:" ? url : `file:${url}`;
    const authToken = env.DATABASE_AUTH_TOKEN;
    const repo = await openChatRepository({ url: libsqlUrl, ...(authToken ? { authToken } : {}) });
    await repo.close();
  } else {
    const { openChatRepository } = await import("../packages/better-sqlite3/src/index.ts");
    const repo = await openChatRepository({ path: url });
    await repo.close();
  }
}

async function main(): Promise<number> {
  let chosen: Target | null = null;
  try {
    chosen = target(process.env);
    await migrate(chosen, process.env);
    console.log(`db:migrate: ${redact(chosen.url)} is up to date (${chosen.driver})`);
    return 0;
  } catch (error) {
    const where = chosen ? ` for ${redact(chosen.url)} (${chosen.driver})` : "";
    const code = (error as { code?: unknown }).code;
    const cause = (error as { cause?: unknown }).cause;
    const reason = error instanceof Error ? error.message : String(error);
    const detail = cause instanceof Error && !reason.includes(cause.message) ? ` (${cause.message})` : "";
    console.error(`db:migrate failed${where}: ${code ? `[${String(code)}] ` : ""}${reason}${detail}`);
    return 1;
  }
}

process.exitCode = await main();

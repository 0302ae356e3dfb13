import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { defineConfig } from "drizzle-kit";

// drizzle-kit runs from the repository root: pnpm db:generate / db:check / db:migrate.
// DATABASE_URL as the apps read it: unset is the embedded default; libsql://, http(s)://,
// ws(s):// go to libSQL/Turso with DATABASE_AUTH_TOKEN; anything else is a local file.
const url = process.env.DATABASE_URL ?? "file:./data/chatlog.db";
const remote = /^(libsql|https?|wss?):\/\//i.test(url);
const file = url.startsWith("file:") ? url.slice("file:".length) : url;
// A new database's folder is created, as the drivers do; otherwise the first migrate fails.
if (!remote && file !== ":memory:") mkdirSync(dirname(file), { recursive: true });

const common = { schema: "./packages/schema/src/tables.ts", out: "./drizzle" } as const;

export default remote
  ? defineConfig({
      ...common,
      dialect: "turso",
      dbCredentials: {
        url,
        ...(process.env.DATABASE_AUTH_TOKEN ? { authToken: process.env.DATABASE_AUTH_TOKEN } : {}),
      },
    })
  : defineConfig({ ...common, dialect: "sqlite", dbCredentials: { url: file } });

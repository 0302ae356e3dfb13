import { defineConfig } from "drizzle-kit";

// drizzle-kit runs from the repository root (pnpm db:generate / db:check / db:migrate).
const url = process.env.DATABASE_URL ?? "file:./data/chatlog.db";

export default defineConfig({
  dialect: "sqlite",
  schema: "./packages/schema/src/tables.ts",
  out: "./drizzle",
  dbCredentials: { url: url.startsWith("file:") ? url.slice("file:".length) : url },
});

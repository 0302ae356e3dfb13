import { defineConfig } from "drizzle-kit";

// The Postgres dialect's migrations: pnpm db:generate / db:check (no database needed) and
// pnpm db:migrate:postgres (DATABASE_URL=postgres://... names the database), from the repository
// root. drizzle-kit writes them to the top-level drizzle-postgres/, as the SQLite ones go to drizzle/.
export default defineConfig({
  dialect: "postgresql",
  schema: "./packages/schema/src/pg-tables.ts",
  out: "./drizzle-postgres",
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://localhost:5432/chatlog" },
});

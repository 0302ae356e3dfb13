import { fileURLToPath } from "node:url";

export * from "./tables.ts";

/** The committed drizzle-kit migrations, shared by every driver's migrator. */
export const migrationsFolder = fileURLToPath(new URL("../../../drizzle", import.meta.url));

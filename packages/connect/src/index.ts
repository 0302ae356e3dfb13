export * from "./database-target.ts";
export { openDatabase } from "./open-database.ts";

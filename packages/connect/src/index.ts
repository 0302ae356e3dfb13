export * from "./database-target.ts";
export * from "./default-location.ts";
export { openDatabase } from "./open-database.ts";

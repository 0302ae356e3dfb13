export * from "./database-target.ts";
export * from "./default-location.ts";
export { inspectDatabase } from "./inspect-database.ts";
export { openDatabase } from "./open-database.ts";

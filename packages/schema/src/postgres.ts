/** The Postgres tables (pg-core), for `import { chatEvents } from "@chatlog/schema/postgres"`. */

export { postgresMigrationsFolder } from "./index.ts";
export * from "./pg-tables.ts";

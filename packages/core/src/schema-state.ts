/**
 * What a database held before chatlog opened (and migrated) it, as its dialect reads it from the
 * catalog: the CLI's `migrate` says from this what it did. Every dialect answers the same shape.
 */
export type SchemaState =
  /** No database there yet (a file that does not exist). */
  | { kind: "absent" }
  /** A database with no tables (a zero-byte file, a new Postgres database). */
  | { kind: "empty" }
  /** chat_events without chatlog's migrations: the Python system's tables. */
  | { kind: "legacy" }
  /** chatlog's schema: `applied` of the `shipped` migrations this version carries. */
  | { kind: "chatlog"; applied: number; shipped: number };

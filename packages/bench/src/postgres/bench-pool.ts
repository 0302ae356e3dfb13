import pg from "pg";

/**
 * A node-postgres pool for the bench. Dropping a bench database (WITH FORCE) terminates the
 * pool's idle connections, which report "terminating connection due to administrator command"
 * on the pool; without a listener that is an uncaught exception that ends the whole run.
 */
export function benchPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on("error", () => {});
  return pool;
}

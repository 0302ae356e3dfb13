#!/usr/bin/env node
import { ConfigError, loadConfig, localDatabaseFile } from "./config.ts";
import { isLoopbackHost } from "./http/host-check.ts";
import { createLogger } from "./logging.ts";
import { startServer } from "./server.ts";

/** `pnpm start`: the chat service on the configured (by default embedded) database. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(
      `${JSON.stringify({ level: "error", msg: "invalid configuration", error: error.message })}\n`,
    );
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const server = await startServer({ config, logger });
  // Tests and scripts read the bound address from this line (PORT=0 picks a free port), so it
  // is written whatever LOG_LEVEL says.
  createLogger("info").info("listening", {
    url: server.url,
    driver: config.driver,
    database: localDatabaseFile(config) ?? config.databaseUrl.replace(/\/\/.*@/, "//***@"),
    model: config.model,
    // Whether /v1 and /api need a bearer token, said where an operator looks first.
    auth:
      [
        ...(config.apiToken === undefined ? [] : ["bearer-token"]),
        ...(config.jwt.secret === undefined ? [] : ["jwt-hs256"]),
        ...(config.jwt.jwksUrl === undefined ? [] : ["jwt-jwks"]),
      ].join(",") || "off",
    corsOrigins: config.corsOrigins,
  });
  const noAuth =
    config.apiToken === undefined && config.jwt.secret === undefined && config.jwt.jwksUrl === undefined;
  if (noAuth && !isLoopbackHost(config.host)) {
    logger.warn(
      "no CHATLOG_API_TOKEN on a non-loopback address: anyone who can reach it can read and write",
      {
        host: config.host,
      },
    );
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info("shutting down", { signal, turnsInFlight: server.turns.inFlight });
    server.close().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error("shutdown failed", { error });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ level: "error", msg: "failed to start", error: message })}\n`);
  process.exit(1);
});

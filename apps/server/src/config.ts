import { type DriverName, invocationDir, resolveDatabaseTarget } from "@chatlog/connect";
import type { JwtSettings } from "./http/users.ts";

export type { DriverName };
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface ServerConfig {
  port: number;
  host: string;
  /**
   * The database: `file:<absolute path>` for a local one (relative DATABASE_URL paths resolved
   * against the folder the command was run in; unset means `chatlog.db` in the data directory,
   * see @chatlog/connect), `:memory:`, or the remote URL as given.
   */
  databaseUrl: string;
  driver: DriverName;
  databaseAuthToken: string | undefined;
  /** "offline" for the built-in deterministic model, else a model id on the OpenAI-compatible endpoint. */
  model: string;
  openaiBaseUrl: string | undefined;
  openaiApiKey: string | undefined;
  /** When set, every API request (/v1, /api) needs `Authorization: Bearer <apiToken>`. */
  apiToken: string | undefined;
  /** Users' JSON Web Tokens (see http/users.ts); a user acts only on their own conversations. */
  jwt: JwtSettings;
  /** Browser origins (`scheme://host[:port]`) allowed to call the API besides the server's own. */
  corsOrigins: string[];
  offlineDelayMs: number;
  /** Minimum words in an offline reply (the bench and the crash test want long ones). */
  offlineReplyWords: number;
  systemPrompt: string;
  maxBodyBytes: number;
  logLevel: LogLevel;
  /** How long shutdown waits for turns in flight before finalizing them as interrupted. */
  shutdownTimeoutMs: number;
  /** Polling period when following a turn another process is generating. */
  followPollMs: number;
  /**
   * A turn claim whose heartbeat is older than this is presumed abandoned (its process is gone)
   * and may be taken over by another process.
   */
  claimStaleMs: number;
  /** How often a process refreshes the claims of the turns it generates. */
  claimHeartbeatMs: number;
  /** Internal switch for the benchmark: false streams without persisting deltas or the reply. */
  persistDeltas: boolean;
}

export const DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant. Use the tools when they help.";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === "") return fallback;
  if (!/^\d+$/.test(text.trim()))
    throw new ConfigError(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  const value = Number(text.trim());
  if (value < min || value > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * CHATLOG_API_TOKEN: unset means auth off. Set but empty (or blank) is a mistake, most often an
 * unexpanded secret in a deployment file, and must not silently turn auth off.
 */
function apiToken(env: Env): string | undefined {
  const value = env.CHATLOG_API_TOKEN;
  if (value === undefined) return undefined;
  if (value.trim() === "") {
    throw new ConfigError("CHATLOG_API_TOKEN is set but empty; unset it to run without auth");
  }
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new ConfigError("CHATLOG_API_TOKEN must be visible ASCII characters, without spaces");
  }
  return value;
}

/** The shortest HS256 secret accepted: 256 bits, the hash's own size (RFC 7518 section 3.2). */
const MIN_JWT_SECRET_BYTES = 32;

/** CHATLOG_JWT_SECRET / CHATLOG_JWKS_URL / CHATLOG_JWT_ISSUER / CHATLOG_JWT_AUDIENCE. */
export function jwtSettings(env: Env): JwtSettings {
  const secret = env.CHATLOG_JWT_SECRET;
  if (secret !== undefined && Buffer.byteLength(secret) < MIN_JWT_SECRET_BYTES) {
    throw new ConfigError(`CHATLOG_JWT_SECRET must be at least ${MIN_JWT_SECRET_BYTES} bytes (HS256)`);
  }
  const jwksUrl = nonEmpty(env, "CHATLOG_JWKS_URL");
  if (jwksUrl !== undefined && !URL.canParse(jwksUrl)) {
    throw new ConfigError(`CHATLOG_JWKS_URL must be an http(s) URL, got ${JSON.stringify(jwksUrl)}`);
  }
  if (jwksUrl !== undefined && !/^https?:$/.test(new URL(jwksUrl).protocol)) {
    throw new ConfigError(`CHATLOG_JWKS_URL must be an http(s) URL, got ${JSON.stringify(jwksUrl)}`);
  }
  return {
    secret,
    jwksUrl,
    issuer: nonEmpty(env, "CHATLOG_JWT_ISSUER"),
    audience: nonEmpty(env, "CHATLOG_JWT_AUDIENCE"),
  };
}

/**
 * CHATLOG_CORS_ORIGINS: a comma list of exact origins. Each is normalized the way browsers
 * write the Origin header (lowercase, no default port, no path), so the comparison per request
 * is a plain string match.
 */
export function parseCorsOrigins(text: string | undefined): string[] {
  if (text === undefined || text.trim() === "") return [];
  const origins: string[] = [];
  for (const item of text.split(",")) {
    const entry = item.trim();
    if (entry === "") continue;
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ConfigError(
        `CHATLOG_CORS_ORIGINS: ${JSON.stringify(entry)} is not an origin (scheme://host[:port])`,
      );
    }
    const bare = url.pathname === "/" && url.search === "" && url.hash === "";
    if (!/^https?:$/.test(url.protocol) || !bare || url.username !== "" || url.password !== "") {
      throw new ConfigError(
        `CHATLOG_CORS_ORIGINS: ${JSON.stringify(entry)} must be an http(s) origin with no path, e.g. https://app.example.com`,
      );
    }
    origins.push(url.origin);
  }
  return [...new Set(origins)];
}

/** Reads and checks the settings; throws ConfigError with a message naming the bad variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): ServerConfig {
  let databaseUrl: string;
  let driver: DriverName;
  try {
    // The apps share one reading of DATABASE_URL / CHATLOG_DRIVER and one default location
    // (@chatlog/connect), so the server, the CLI and `pnpm start` from any folder meet on one file.
    ({ url: databaseUrl, driver } = resolveDatabaseTarget({
      url: nonEmpty(env, "DATABASE_URL"),
      driver: nonEmpty(env, "CHATLOG_DRIVER"),
      env,
      baseDir: invocationDir(env, cwd),
    }));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const model = nonEmpty(env, "CHATLOG_MODEL") ?? "offline";
  const openaiBaseUrl = nonEmpty(env, "CHATLOG_OPENAI_BASE_URL");
  if (model !== "offline" && openaiBaseUrl === undefined) {
    throw new ConfigError(
      `CHATLOG_MODEL=${model} needs CHATLOG_OPENAI_BASE_URL (an OpenAI-compatible endpoint)`,
    );
  }
  if (openaiBaseUrl !== undefined && !/^https?:\/\//i.test(openaiBaseUrl)) {
    throw new ConfigError(
      `CHATLOG_OPENAI_BASE_URL must be an http(s) URL, got ${JSON.stringify(openaiBaseUrl)}`,
    );
  }
  const logLevel = (nonEmpty(env, "LOG_LEVEL") ?? "info").toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(logLevel)}`,
    );
  }
  const claimStaleMs = integer(env, "CHATLOG_CLAIM_STALE_MS", 10_000, 50, 3_600_000);
  // Several beats fit in one stale period, so one slow beat does not cost a live turn its claim.
  const claimHeartbeatMs = integer(
    env,
    "CHATLOG_CLAIM_HEARTBEAT_MS",
    Math.max(10, Math.floor(claimStaleMs / 5)),
    10,
    Math.max(10, Math.floor(claimStaleMs / 2)),
  );
  return {
    port: integer(env, "PORT", 3000, 0, 65535),
    host: nonEmpty(env, "HOST") ?? "127.0.0.1",
    databaseUrl,
    driver,
    databaseAuthToken: nonEmpty(env, "DATABASE_AUTH_TOKEN"),
    model,
    openaiBaseUrl,
    openaiApiKey: nonEmpty(env, "CHATLOG_OPENAI_API_KEY"),
    apiToken: apiToken(env),
    jwt: jwtSettings(env),
    corsOrigins: parseCorsOrigins(env.CHATLOG_CORS_ORIGINS),
    offlineDelayMs: integer(env, "CHATLOG_OFFLINE_DELAY_MS", 15, 0, 60_000),
    offlineReplyWords: integer(env, "CHATLOG_OFFLINE_REPLY_WORDS", 0, 0, 100_000),
    systemPrompt: env.CHATLOG_SYSTEM_PROMPT ?? DEFAULT_SYSTEM_PROMPT,
    maxBodyBytes: integer(env, "CHATLOG_MAX_BODY_BYTES", 64 * 1024, 1, 64 * 1024 * 1024),
    logLevel: logLevel as LogLevel,
    shutdownTimeoutMs: integer(env, "CHATLOG_SHUTDOWN_TIMEOUT_MS", 10_000, 0, 600_000),
    followPollMs: integer(env, "CHATLOG_FOLLOW_POLL_MS", 100, 5, 60_000),
    claimStaleMs,
    claimHeartbeatMs,
    persistDeltas: true,
  };
}

/** The local file behind the configured database, for log lines (null for remote or in-memory ones). */
export function localDatabaseFile(config: Pick<ServerConfig, "databaseUrl" | "driver">): string | null {
  return resolveDatabaseTarget({ url: config.databaseUrl, driver: config.driver }).file;
}

import { ChatlogError } from "@chatlog/core";

/** The URL as it may be shown: no query string (a `libsql://…?authToken=` would leak the token). */
export function displayUrl(url: string): string {
  return url.split("?")[0] ?? url;
}

/** Error codes of @libsql/client that mean the server, not the statement, failed. */
const UNAVAILABLE_CODES: Record<string, string> = {
  SERVER_ERROR: "answered",
  STREAM_EXPIRED: "dropped the transaction's stream (it expired)",
  HRANA_CLOSED_ERROR: "closed the stream",
  HRANA_PROTO_ERROR: "answered something that is not Hrana",
};

/** Network-level causes by Node's error code, as a user would say them. */
const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CLOSED: "connection closed",
};

/**
 * Whether `error` (from @libsql/client talking HTTP) means the remote database was not there to
 * answer, and if so the UNAVAILABLE ChatlogError for it: one line naming the URL and the cause
 * ("connection refused", "did not answer within 5000 ms", "answered HTTP 503", an expired
 * stream). SQL errors (constraints, syntax) and auth errors are not transport failures: null.
 */
export function unavailableError(url: string, error: unknown, timeoutMs?: number): ChatlogError | null {
  const where = `remote database ${displayUrl(url)}`;
  const chain = causes(error);
  for (const e of chain) {
    const name = (e as { name?: unknown }).name;
    if (name === "TimeoutError" || name === "AbortError") {
      return new ChatlogError(
        "UNAVAILABLE",
        `${where} did not answer within ${timeoutMs === undefined ? "the request timeout" : `${timeoutMs} ms`}`,
        { cause: error, details: { url: displayUrl(url), reason: "timeout" } },
      );
    }
    const code = String((e as { code?: unknown }).code ?? "");
    const network = NETWORK_CAUSES[code];
    if (network !== undefined) {
      return new ChatlogError("UNAVAILABLE", `${where} is unreachable: ${network} (${code})`, {
        cause: error,
        details: { url: displayUrl(url), reason: code },
      });
    }
  }
  // drizzle wraps driver errors ("Failed query: ..."): look for the client's code down the chain.
  const top = chain.find((e) => UNAVAILABLE_CODES[String((e as { code?: unknown }).code)] !== undefined) as
    | { code?: unknown; message?: unknown }
    | undefined;
  const verb = top === undefined ? undefined : UNAVAILABLE_CODES[String(top.code)];
  if (top !== undefined && verb !== undefined) {
    const said = oneLine(String(top.message ?? "")).replace(/^[A-Z_]+: /, "");
    const detail = top.code === "SERVER_ERROR" ? ` ${said.replace(/^Server returned /, "")}` : `: ${said}`;
    return new ChatlogError("UNAVAILABLE", `${where} ${verb}${detail}`, {
      cause: error,
      details: { url: displayUrl(url), reason: String(top.code) },
    });
  }
  if (chain.some((e) => e instanceof TypeError && /fetch failed/i.test(String((e as Error).message)))) {
    return new ChatlogError("UNAVAILABLE", `${where} is unreachable: ${oneLine(describe(chain))}`, {
      cause: error,
      details: { url: displayUrl(url), reason: "fetch failed" },
    });
  }
  return null;
}

/** An auth refusal (wrong or missing token), as one line naming the URL; null for anything else. */
export function authError(url: string, error: unknown): ChatlogError | null {
  const refusal = causes(error).find((e) => String((e as { code?: unknown }).code).startsWith("AUTH_"));
  if (refusal === undefined) return null;
  const code = String((refusal as { code: string }).code);
  const message = oneLine(String((refusal as Error).message)).replace(/^[A-Z_]+: /, "");
  return new ChatlogError(
    "STORAGE_ERROR",
    `remote database ${displayUrl(url)} refused the token: ${message} (${code})`,
    {
      cause: error,
      details: { url: displayUrl(url), driverCode: code },
    },
  );
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (
    let e = error;
    e !== undefined && e !== null && chain.length < 8;
    e = (e as { cause?: unknown }).cause
  ) {
    chain.push(e);
    if (e instanceof AggregateError) chain.push(...e.errors);
  }
  return chain;
}

function describe(chain: unknown[]): string {
  return chain.map((e) => (e instanceof Error ? e.message : String(e))).join(": ");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

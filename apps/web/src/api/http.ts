import { isNetworkError, reportUnreachable } from "./connection.ts";
import { readToken } from "./token.ts";

/** A 401 from the server: no token, or the wrong one. */
export class UnauthorizedError extends Error {
  override readonly name = "UnauthorizedError";
}

/** Any other non-2xx answer, with the server's `{ error: { code, message } }` when it sent one. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called whenever any request (the page's own or useChat's) is refused with 401. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** fetch with the stored token as a Bearer header; every API call of the page goes through it. */
export const authorizedFetch: typeof fetch = async (input, init) => {
  const headers = new Headers(init?.headers);
  const token = readToken();
  if (token) headers.set("authorization", `Bearer ${token}`);
  let response: Response;
  try {
    response = await fetch(input, { ...init, headers });
  } catch (error) {
    if (isNetworkError(error)) reportUnreachable();
    throw error;
  }
  if (response.status === 401) for (const listener of unauthorizedListeners) listener();
  return response;
};

/** GET a JSON resource; throws UnauthorizedError or ApiError. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await authorizedFetch(path, {
    headers: { accept: "application/json" },
    signal: signal ?? null,
  });
  await throwUnlessOk(response);
  return (await response.json()) as T;
}

/** Throws UnauthorizedError for a 401, ApiError (with the server's code and message) for any other non-2xx. */
export async function throwUnlessOk(response: Response): Promise<void> {
  if (response.status === 401) throw new UnauthorizedError("the server needs an API token");
  if (response.ok) return;
  const body = (await response.json().catch(() => null)) as {
    error?: { code?: string; message?: string };
  } | null;
  throw new ApiError(
    response.status,
    body?.error?.code ?? `HTTP_${response.status}`,
    body?.error?.message ?? response.statusText,
  );
}

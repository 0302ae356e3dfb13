import { useEffect, useState } from "react";

/**
 * Whether the server can be reached. A request that fails without an answer (the server is
 * down or restarting, the network is gone) marks it unreachable; from then on /healthz is
 * asked every POLL_MS until it answers, and everyone listening is told it is back, so the
 * page recovers by itself, without a reload.
 */
const POLL_MS = 1_000;

type Listener = (reachable: boolean) => void;
const listeners = new Set<Listener>();
let reachable = true;

function set(value: boolean): void {
  if (reachable === value) return;
  reachable = value;
  for (const listener of listeners) listener(value);
}

async function pollUntilBack(): Promise<void> {
  while (!reachable) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    try {
      const response = await fetch("/healthz", { cache: "no-store" });
      if (response.ok) set(true);
    } catch {
      // still down
    }
  }
}

/** A fetch that got no answer at all (not an HTTP error, not an abort) means the server is away. */
export function reportUnreachable(): void {
  if (!reachable) return;
  set(false);
  void pollUntilBack();
}

export function isNetworkError(error: unknown): boolean {
  // fetch rejects with a TypeError when no response came, and reading a body whose connection
  // broke does too; an abort is a DOMException. Wrapped errors keep the browser's words.
  if (error instanceof TypeError) return true;
  return error instanceof Error && /failed to fetch|network ?error|load failed/i.test(error.message);
}

/** Subscribes to reachability changes; returns the unsubscribe function. */
export function onReachability(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useReachable(): boolean {
  const [value, setValue] = useState(reachable);
  useEffect(() => {
    setValue(reachable);
    return onReachability(setValue);
  }, []);
  return value;
}

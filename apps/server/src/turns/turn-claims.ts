import { randomUUID } from "node:crypto";
import { readlinkSync } from "node:fs";
import { hostname } from "node:os";
import { type ClaimSettings, TurnClaims } from "@chatlog/ai-sdk";
import type { ChatRepository } from "@chatlog/core";
import type { Logger } from "../logging.ts";

/** This machine's pid namespace, so a pid is only judged on the machine and namespace it lives in. */
function pidNamespace(): string {
  try {
    return readlinkSync("/proc/self/ns/pid").replace(/[^\w:]/g, "");
  } catch {
    return "";
  }
}

/**
 * The owner id of this process's claims: `host|pid-namespace|pid|random`. The random part makes
 * every process (and every restart) a new owner; the rest lets another process on the same
 * machine see at once that the holder is gone, without waiting for its heartbeat to go stale.
 */
function newOwnerId(): string {
  return [hostname(), pidNamespace(), String(process.pid), randomUUID()].join("|");
}

const HOST = hostname();
const PID_NAMESPACE = pidNamespace();

/**
 * Whether the process that owns `ownerId` is certainly gone: it ran on this host, in this pid
 * namespace (known on Linux only), and its pid no longer exists. Anything else is "maybe alive",
 * left to the heartbeat. A reused pid only delays a takeover, never causes a wrong one.
 */
export function ownerIsGone(ownerId: string): boolean {
  const [host, ns, pid] = ownerId.split("|");
  if (host !== HOST || !ns || ns !== PID_NAMESPACE || !pid || !/^\d+$/.test(pid)) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * The server's claims: the shared TurnClaims (@chatlog/ai-sdk, also behind streamChatTurn) with
 * an owner id that tells this machine's processes apart, so a dead holder's turn is taken over at
 * once rather than after its heartbeat goes stale.
 */
export function serverTurnClaims(repo: ChatRepository, settings: ClaimSettings, logger: Logger): TurnClaims {
  return new TurnClaims(repo, settings, { ownerId: newOwnerId(), ownerIsGone, logger });
}

export { type ClaimSettings, TurnClaims };

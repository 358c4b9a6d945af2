// Reconnect delays: exponential backoff with full jitter, and which close codes allow a reconnect.

/** Bounds of the reconnect delay. */
export interface BackoffOptions {
  /** Upper bound of the first delay; the first retry happens within this. Default 1000 ms. */
  initialMs?: number;
  /** No two attempts are further apart than this. Default 20000 ms. */
  maxMs?: number;
  /** Growth of the upper bound per failed attempt. Default 2. */
  factor?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  initialMs: 1000,
  maxMs: 20000,
  factor: 2,
};

/**
 * The delay before reconnect attempt `attempt` (0 for the first after a loss): a uniform draw
 * from [0, min(maxMs, initialMs * factor^attempt)) ("full jitter"), so a thousand clients that
 * lost the same node do not come back in the same millisecond.
 */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  options: BackoffOptions = {},
): number {
  const { initialMs, maxMs, factor } = { ...DEFAULT_BACKOFF, ...options };
  const ceiling = Math.min(maxMs, initialMs * Math.pow(factor, Math.max(0, attempt)));
  // Math.random() is < 1; clamp an injected one that is not, so the bound always holds.
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

/** Close codes after which the client reconnects by itself (reason checked for 1008). */
export function shouldReconnect(code: number, reason: string): boolean {
  switch (code) {
    case 1001: // server draining or going away: reconnect (a load balancer picks another node)
    case 1005: // closed without a status code
    case 1006: // network loss, refused connection, HTTP error before the upgrade, timeouts
    case 1011: // server internal error
    case 1012: // service restart
    case 1013: // try again later: server full
    case 4001: // slow consumer: the outbound queue overflowed; recovery fills the gap
      return true;
    case 1008: // policy: only an expired token is worth a retry, with a fresh one from getToken
      return reason === "token expired";
    default: // 4000 kicked, 1000, 1002, 1003, 1007, 1009, and anything unknown: stay closed
      return false;
  }
}

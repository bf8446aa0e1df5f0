/**
 * How long a replica may act on a lease it renewed, by its own monotonic clock. The database
 * sets `expires_at = its now + ttl` after it received the renewal, so `sentAt + ttl` (taken
 * before sending) is never later than the real expiry; the margin covers clock-rate drift.
 * A process paused past that instant (SIGSTOP, a long GC) finds the lease invalid when it wakes,
 * because a monotonic clock keeps counting while the process is stopped.
 */
export function validUntil(sentAt: number, ttlMs: number): number {
  return sentAt + ttlMs - safetyMargin(ttlMs);
}

/** A tenth of the lease, at least 10 ms. */
export function safetyMargin(ttlMs: number): number {
  return Math.max(10, Math.floor(ttlMs / 10));
}

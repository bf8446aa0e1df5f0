// kafkajs 2.2.4, its last release, keeps every connection's event loop busy while nothing is
// pending: RequestQueue.scheduleCheckPendingRequests sets a timer whenever none is set, for
// `throttledUntil - now`, which is negative when the broker never throttled (a 1 ms timer), and
// every check it runs schedules the next one (tulios/kafkajs#1556 and #1704; the fixes in open
// pull requests were never released). So each connection of each client wakes its process about
// a thousand times a second. On this project's test machine (two shared cores, a dozen Node
// processes) an idle kafkajs consumer cost 64-83 ms of CPU a second; strace counted 1,355
// wake-ups a second. This replaces that method with the fixed one, on the class kafkajs uses: a
// timer only while a request waits (for the throttle's end, or the 10 ms kafkajs uses after a
// marginal throttle, kafkajs#1532), or while a throttle runs. A request that cannot be sent at
// once is still checked by that timer or when a request in flight completes, as before.
import { createRequire } from 'node:module';

/** kafkajs's own interval for re-checking pending requests after a marginal throttle. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

/** The version whose RequestQueue this fixes; another version is left alone. */
const PATCHED_VERSION = '2.2.4';

interface RequestQueueInternals {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  let scheduleAt = this.throttledUntil - Date.now();
  if (this.pending.length > 0) {
    scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
  } else if (scheduleAt <= 0) {
    // Nothing waits and no throttle runs: the next push or completed request checks again.
    return;
  }
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, scheduleAt);
}

let applied: boolean | undefined;

/**
 * Fixes kafkajs's RequestQueue once per process (before or after clients were made: the method
 * lives on the prototype). True when the running kafkajs is the version it fixes.
 */
export function fixKafkajsRequestQueue(): boolean {
  if (applied !== undefined) return applied;
  const load = createRequire(__filename);
  const { version } = load('kafkajs/package.json') as { version: string };
  applied = version === PATCHED_VERSION;
  if (applied) {
    const RequestQueue = load('kafkajs/src/network/requestQueue/index.js') as {
      prototype: { scheduleCheckPendingRequests: () => void };
    };
    RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  }
  return applied;
}

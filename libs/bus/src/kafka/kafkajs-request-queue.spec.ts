import { createRequire } from 'node:module';

import { fixKafkajsRequestQueue } from './kafkajs-request-queue';

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  destroy(): void;
}

const RequestQueue = createRequire(__filename)('kafkajs/src/network/requestQueue/index.js') as new (
  options: Record<string, unknown>,
) => Queue;

const logger = { debug: () => undefined, warn: () => undefined, error: () => undefined };
const newQueue = () =>
  new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    clientId: 't',
    broker: 'b',
    logger,
  });

describe("kafkajs's RequestQueue, fixed", () => {
  it('sets a timer after every check while nothing waits, until fixed; then only while a request waits or a throttle runs', () => {
    const queue = newQueue();
    try {
      // kafkajs 2.2.4 as released: a check with nothing pending schedules the next one at once.
      queue.checkPendingRequests();
      expect(queue.throttleCheckTimeoutId).not.toBeNull();
      clearTimeout(queue.throttleCheckTimeoutId!);
      queue.throttleCheckTimeoutId = null;

      expect(fixKafkajsRequestQueue()).toBe(true);
      expect(fixKafkajsRequestQueue()).toBe(true); // once
      queue.checkPendingRequests();
      expect(queue.throttleCheckTimeoutId).toBeNull();

      // A throttle still running: checked when it ends.
      queue.throttledUntil = Date.now() + 1_000;
      queue.checkPendingRequests();
      expect(queue.throttleCheckTimeoutId).not.toBeNull();
      clearTimeout(queue.throttleCheckTimeoutId!);
      queue.throttleCheckTimeoutId = null;

      // A request waiting (here: in a throttle that just ended) is checked again soon.
      queue.throttledUntil = Date.now() - 1;
      queue.pending.push({ fake: true });
      const checked = jest.spyOn(queue, 'checkPendingRequests').mockImplementation(() => undefined);
      jest.useFakeTimers();
      try {
        (
          queue as unknown as { scheduleCheckPendingRequests(): void }
        ).scheduleCheckPendingRequests();
        jest.advanceTimersByTime(9);
        expect(checked).not.toHaveBeenCalled();
        jest.advanceTimersByTime(1);
        expect(checked).toHaveBeenCalledTimes(1);
      } finally {
        jest.useRealTimers();
      }
    } finally {
      queue.destroy();
    }
  });
});

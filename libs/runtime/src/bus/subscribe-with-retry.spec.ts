import pino from 'pino';
import type { EventBus, Subscription } from '@anvil/bus';
import { SUBSCRIBE_RETRY, subscribeWithRetry } from './subscribe-with-retry';

const logger = pino({ level: 'silent' });
const options = { topic: 't', group: 'g' };

describe('subscribeWithRetry', () => {
  it('retries transient failures with growing delays', async () => {
    const subscription: Subscription = { close: async () => undefined };
    let calls = 0;
    const bus = {
      subscribe: async () => (++calls < 3 ? Promise.reject(new Error('not yet')) : subscription),
    } as unknown as EventBus;
    const delays: number[] = [];
    await expect(
      subscribeWithRetry(
        bus,
        options,
        async () => undefined,
        logger,
        async (ms) => void delays.push(ms),
      ),
    ).resolves.toBe(subscription);
    expect(delays).toEqual([250, 500]);
  });

  it('gives up after the last attempt', async () => {
    const bus = { subscribe: async () => Promise.reject(new Error('down')) } as unknown as EventBus;
    const delays: number[] = [];
    await expect(
      subscribeWithRetry(
        bus,
        options,
        async () => undefined,
        logger,
        async (ms) => void delays.push(ms),
      ),
    ).rejects.toThrow('down');
    expect(delays).toHaveLength(SUBSCRIBE_RETRY.attempts - 1);
  });
});

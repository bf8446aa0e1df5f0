import type { BusHandler, EventBus, SubscribeOptions, Subscription } from '@anvil/bus';
import type { Logger } from 'pino';

/** Attempts and first delay of `subscribeWithRetry` (the delay doubles, capped at 5 s). */
export const SUBSCRIBE_RETRY = { attempts: 10, firstDelayMs: 250 } as const;

/**
 * Subscribes, retrying failures with backoff: at start-up Kafka may still be creating a topic or
 * electing a group coordinator ("does not host this topic-partition"). Gives up after
 * SUBSCRIBE_RETRY.attempts, failing the start (the process is then restarted).
 */
export async function subscribeWithRetry(
  bus: EventBus,
  options: SubscribeOptions,
  handler: BusHandler,
  logger: Logger,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<Subscription> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await bus.subscribe(options, handler);
    } catch (error) {
      if (attempt >= SUBSCRIBE_RETRY.attempts) throw error;
      const delay = Math.min(5_000, SUBSCRIBE_RETRY.firstDelayMs * 2 ** (attempt - 1));
      logger.warn(
        { err: error, topic: options.topic, group: options.group, attempt, delay },
        'bus subscription failed; retrying',
      );
      await sleep(delay);
    }
  }
}

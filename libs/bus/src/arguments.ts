// Argument checks shared by the bus implementations, so both refuse the same mistakes.
import { validateCloudEvent } from './cloud-event';
import { InvalidBusArgumentError, InvalidEventError } from './errors';
import type {
  BusHandler,
  CloudEvent,
  FollowKeysOptions,
  ReadKeyOptions,
  SubscribeOptions,
} from './event-bus';
import { assertTopicName } from './topics';

/** Checks a publish call and returns each event as JSON text; throws before anything is sent. */
export function validatePublish(topic: string, key: string, events: CloudEvent[]): string[] {
  assertTopicName(topic);
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidBusArgumentError('publish needs a non-empty key (the world id)');
  }
  if (!Array.isArray(events)) throw new InvalidBusArgumentError('publish needs an array of events');
  return events.map((event, index) => {
    try {
      validateCloudEvent(event);
      return JSON.stringify(event);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const field = error instanceof InvalidEventError ? error.field : undefined;
      throw new InvalidEventError(`events[${index}]: ${reason}`, field, { cause: error });
    }
  });
}

/** Checks subscribe's options and handler. */
export function validateSubscribe(options: SubscribeOptions, handler: BusHandler): void {
  assertTopicName(options?.topic);
  if (typeof options.group !== 'string' || options.group.length === 0) {
    throw new InvalidBusArgumentError('subscribe needs a non-empty consumer group');
  }
  if (typeof handler !== 'function')
    throw new InvalidBusArgumentError('subscribe needs a handler function');
}

/**
 * Checks readKey's topic and options; returns the lower bound to apply (undefined: from the
 * start of the partition, also for a bound of 0 or less).
 */
export function validateReadKey(topic: string, options?: ReadKeyOptions): number | undefined {
  assertTopicName(topic);
  const sinceMs = options?.sinceMs;
  if (sinceMs === undefined) return undefined;
  if (typeof sinceMs !== 'number' || !Number.isFinite(sinceMs)) {
    throw new InvalidBusArgumentError(
      `readKey's sinceMs must be a finite number of epoch milliseconds, got ${String(sinceMs)}`,
    );
  }
  return sinceMs > 0 ? sinceMs : undefined;
}

/** Held by `followKeys` when its options do not say. */
export const DEFAULT_FOLLOW_MAX_BYTES = 64 * 1024 * 1024;

/** Checks followKeys' topic and options; returns them with defaults. */
export function validateFollowKeys(
  topic: string,
  options: FollowKeysOptions,
): Required<FollowKeysOptions> {
  assertTopicName(topic);
  const { retainMs, maxBytes = DEFAULT_FOLLOW_MAX_BYTES } = options ?? {};
  for (const [name, value] of [
    ['retainMs', retainMs],
    ['maxBytes', maxBytes],
  ] as const) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new InvalidBusArgumentError(
        `followKeys' ${name} must be a positive integer, got ${String(value)}`,
      );
    }
  }
  return { retainMs, maxBytes };
}

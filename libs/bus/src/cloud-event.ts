// Building, validating and parsing the CloudEvents 1.0 envelope (structured JSON mode).
import { randomUUID } from 'node:crypto';

import { InvalidEventError } from './errors';
import type { CloudEvent } from './event-bus';
import { validateEventData } from './event-data';
import { describeValue, fail, isObject, requireInteger, requireString } from './validate';

/** Largest inbound event `parseCloudEvent` accepts by default (1 MiB, Kafka's default record limit). */
export const MAX_EVENT_BYTES = 1024 * 1024;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** What `createCloudEvent` needs; `id` and `time` default to a random UUID and now. */
export interface CloudEventInit<T> {
  type: string;
  /** URI-reference of the producer, e.g. `/anvil/physics-engine`. */
  source: string;
  /** The world id. */
  subject: string;
  tick: number;
  data: T;
  /** A deterministic id (see `deterministicEventId`) makes replays deduplicable; random otherwise. */
  id?: string;
  time?: string | Date;
}

/** Builds a validated CloudEvent; throws `InvalidEventError` naming the bad attribute. */
export function createCloudEvent<T>(init: CloudEventInit<T>): CloudEvent<T> {
  const time =
    init.time instanceof Date ? init.time.toISOString() : (init.time ?? new Date().toISOString());
  const event: CloudEvent<T> = {
    specversion: '1.0',
    id: init.id ?? randomUUID(),
    source: init.source,
    type: init.type,
    subject: init.subject,
    time,
    datacontenttype: 'application/json',
    tick: init.tick,
    data: init.data,
  };
  return validateCloudEvent<T>(event);
}

/**
 * An id that is the same every time the same world produces the same event at the same tick,
 * so that a restarted engine replaying ticks produces duplicates a consumer can drop by id.
 * `discriminator` tells apart several events of one type in one tick (e.g. the player id).
 */
export function deterministicEventId(
  type: string,
  subject: string,
  tick: number,
  discriminator?: string,
): string {
  return [
    type,
    subject,
    String(tick),
    ...(discriminator === undefined ? [] : [discriminator]),
  ].join('/');
}

/** The distributed-tracing extension's attributes; a malformed value only starts a new trace. */
const TRACE_ATTRIBUTES = ['traceparent', 'tracestate'] as const;
/** W3C's limit for `tracestate` (a `traceparent` is 55). */
const MAX_TRACE_ATTRIBUTE_CHARS = 512;

/** Options of `validateCloudEvent` and `parseCloudEvent`. */
export interface ValidateOptions {
  /** Also check `data` when `type` is one of `EVENT_TYPES` (default true). */
  checkData?: boolean;
}

/**
 * Checks that `value` is an Anvil CloudEvent (specversion 1.0, non-empty id/source/type/subject,
 * RFC 3339 time, integer tick >= 0, data present) and returns it typed. Unknown extension
 * attributes (e.g. `traceparent`) are kept. Throws `InvalidEventError`.
 */
export function validateCloudEvent<T = unknown>(
  value: unknown,
  options: ValidateOptions = {},
): CloudEvent<T> {
  if (!isObject(value)) fail('event', 'a JSON object', value);
  if (value['specversion'] !== '1.0') fail('specversion', '"1.0"', value['specversion']);
  for (const key of ['id', 'source', 'type', 'subject']) requireString(value, key);
  const time = requireString(value, 'time');
  if (!RFC3339.test(time) || Number.isNaN(Date.parse(time)))
    fail('time', 'an RFC 3339 timestamp', time);
  const contentType = value['datacontenttype'] ?? 'application/json';
  if (contentType !== 'application/json')
    fail('datacontenttype', '"application/json"', contentType);
  requireInteger(value, 'tick', '', 0);
  if (value['data'] === undefined) {
    throw new InvalidEventError('data is missing (use null for an event without data)', 'data');
  }
  for (const key of TRACE_ATTRIBUTES) {
    const trace = value[key];
    if (
      trace !== undefined &&
      (typeof trace !== 'string' || trace.length > MAX_TRACE_ATTRIBUTE_CHARS)
    )
      fail(key, `a string of at most ${MAX_TRACE_ATTRIBUTE_CHARS} characters`, trace);
  }
  if (options.checkData !== false) validateEventData(value['type'] as string, value['data']);
  return { ...value, datacontenttype: 'application/json' } as unknown as CloudEvent<T>;
}

/** Options of `parseCloudEvent`. */
export interface ParseOptions extends ValidateOptions {
  /** Larger inputs are refused before parsing (default `MAX_EVENT_BYTES`). */
  maxBytes?: number;
}

/**
 * Parses one event in structured JSON mode (a Kafka record value, an HTTP body) and validates
 * it with `validateCloudEvent`. Throws `InvalidEventError` with a message naming the problem.
 */
export function parseCloudEvent<T = unknown>(
  json: string | Uint8Array,
  options: ParseOptions = {},
): CloudEvent<T> {
  if (typeof json !== 'string' && !(json instanceof Uint8Array)) {
    throw new InvalidEventError(`event must be a JSON string or bytes, got ${describeValue(json)}`);
  }
  const maxBytes = options.maxBytes ?? MAX_EVENT_BYTES;
  const size = typeof json === 'string' ? Buffer.byteLength(json) : json.byteLength;
  if (size > maxBytes)
    throw new InvalidEventError(`event is ${size} bytes, more than the limit of ${maxBytes}`);
  const text =
    typeof json === 'string'
      ? json
      : Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidEventError(`event is not valid JSON: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
  return validateCloudEvent<T>(value, options);
}

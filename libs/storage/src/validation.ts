import { InvalidInputError } from './errors';

/** Longest id, name or label accepted (ids become keys and topic partitions: keep them short). */
export const MAX_TEXT = 256;
/** Largest checkpoint state accepted (PostgreSQL's bytea tops out at 1 GiB; snapshots stay far below). */
export const MAX_STATE_BYTES = 64 * 1024 * 1024;
/** Largest audit `details` object, serialised. */
export const MAX_DETAILS_BYTES = 64 * 1024;
/** Largest page a list returns. */
export const MAX_LIMIT = 1000;

/** A non-blank string of at most `max` characters with no NUL (PostgreSQL text cannot hold one). */
export function text(field: string, value: unknown, max = MAX_TEXT): string {
  if (typeof value !== 'string')
    throw new InvalidInputError(field, `must be a string (got ${typeOf(value)})`);
  if (value.trim() === '') throw new InvalidInputError(field, 'must not be empty');
  if (value.length > max)
    throw new InvalidInputError(field, `must be at most ${max} characters (got ${value.length})`);
  if (value.includes('\u0000'))
    throw new InvalidInputError(field, 'must not contain NUL characters');
  return value;
}

/** An integer in `[min, max]` (max defaults to the largest safe integer). */
export function integer(
  field: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidInputError(
      field,
      `must be a safe integer (got ${typeOf(value)} ${String(value)})`,
    );
  }
  if (value < min || value > max)
    throw new InvalidInputError(field, `must be between ${min} and ${max} (got ${value})`);
  return value;
}

/** A valid Date. */
export function instant(field: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw new InvalidInputError(field, 'must be a valid Date');
  return value;
}

/** A byte array (a Buffer is one) of at most `max` bytes, {@link MAX_STATE_BYTES} by default. */
export function bytes(field: string, value: unknown, max = MAX_STATE_BYTES): Uint8Array {
  if (!(value instanceof Uint8Array))
    throw new InvalidInputError(field, `must be a Uint8Array (got ${typeOf(value)})`);
  if (value.byteLength > max) {
    throw new InvalidInputError(field, `must be at most ${max} bytes (got ${value.byteLength})`);
  }
  return value;
}

/** A plain JSON object of at most {@link MAX_DETAILS_BYTES} serialised; returns its JSON copy. */
export function jsonObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(field, `must be a JSON object (got ${typeOf(value)})`);
  }
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    throw new InvalidInputError(field, `is not serialisable as JSON (${(cause as Error).message})`);
  }
  if (Buffer.byteLength(json) > MAX_DETAILS_BYTES) {
    throw new InvalidInputError(field, `must be at most ${MAX_DETAILS_BYTES} bytes as JSON`);
  }
  // jsonb refuses the NUL escape; refuse it here with a clear message instead.
  if (json.includes('\\u0000'))
    throw new InvalidInputError(field, 'must not contain NUL characters');
  return JSON.parse(json) as Record<string, unknown>;
}

/** A page size: default 100, at most {@link MAX_LIMIT}. */
export function limit(value: unknown): number {
  return value === undefined ? 100 : integer('limit', value, 1, MAX_LIMIT);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its canonical textual form. */
export function uuid(field: string, value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new InvalidInputError(
      field,
      `must be a UUID (got ${typeOf(value)} ${JSON.stringify(value)?.slice(0, 60)})`,
    );
  }
  return value.toLowerCase();
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

// Small assertion helpers shared by the envelope and data validators; each failure names the field.
import { InvalidEventError } from './errors';

export type JsonObject = Record<string, unknown>;

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

export function fail(field: string, expected: string, value: unknown): never {
  throw new InvalidEventError(`${field} must be ${expected}, got ${describeValue(value)}`, field);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, field: string): JsonObject {
  if (!isObject(value)) fail(field, 'an object', value);
  return value;
}

export function requireString(object: JsonObject, key: string, prefix = ''): string {
  const value = object[key];
  if (typeof value !== 'string' || value.length === 0)
    fail(prefix + key, 'a non-empty string', value);
  return value;
}

export function requireInteger(
  object: JsonObject,
  key: string,
  prefix = '',
  min = -Infinity,
): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    fail(prefix + key, min === 0 ? 'a non-negative integer' : 'an integer', value);
  }
  return value;
}

export function requireArray(object: JsonObject, key: string, prefix = ''): unknown[] {
  const value = object[key];
  if (!Array.isArray(value)) fail(prefix + key, 'an array', value);
  return value;
}

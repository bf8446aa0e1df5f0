/**
 * Defensive readers for untrusted input. The resolver and the validator accept anything
 * (YAML from disk, objects from the API server, garbage in tests) and must never throw, so
 * every access to input data goes through these.
 */

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `obj[key]` when obj is a record, else undefined. */
export function field(obj: unknown, key: string): unknown {
  return isRecord(obj) ? obj[key] : undefined;
}

/** The value when it is a string, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The value when it is an array, else an empty array. */
export function arr(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `metadata.name` of an object when it is a string, else ''. */
export function nameOf(obj: unknown): string {
  return str(field(field(obj, 'metadata'), 'name')) ?? '';
}

/** Code-unit string comparison: locale-independent, so sorting is the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A JSON-like rendering with sorted keys that never throws (bigint, symbols, functions and
 * cycles are rendered as markers). Only used to break ties between otherwise equal inputs.
 */
export function canonicalKey(value: unknown, seen: Set<unknown> = new Set()): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return `<${typeof value}${typeof value === 'bigint' ? `:${String(value)}` : ''}>`;
  }
  if (seen.has(value)) return '<cycle>';
  seen.add(value);
  const out = Array.isArray(value)
    ? `[${value.map((item) => canonicalKey(item, seen)).join(',')}]`
    : `{${Object.keys(value)
        .sort(compareStrings)
        .map(
          (k) =>
            `${JSON.stringify(k)}:${canonicalKey((value as Record<string, unknown>)[k], seen)}`,
        )
        .join(',')}}`;
  seen.delete(value);
  return out;
}

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

/** Longest list sortStable sorts by insertion; longer ones go to Array.prototype.sort. */
const INSERTION_SORT_MAX = 32;

/**
 * Sorts in place, stably, like Array.prototype.sort (a stable sort's result is fully determined
 * by the comparator, so both give the same order). Short lists are sorted by insertion, which
 * allocates nothing: the resolver sorts many short lists per world.
 */
export function sortStable<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  if (list.length > INSERTION_SORT_MAX) return list.sort(compare);
  for (let i = 1; i < list.length; i++) {
    const item = list[i];
    let j = i;
    while (j > 0 && compare(list[j - 1], item) > 0) {
      list[j] = list[j - 1];
      j--;
    }
    list[j] = item;
  }
  return list;
}

/** Drops, in place, each item of a sorted list that compares equal to the one before it. */
export function dropRepeats<T>(sorted: T[], compare: (a: T, b: T) => number): T[] {
  let kept = Math.min(sorted.length, 1);
  for (let i = 1; i < sorted.length; i++) {
    if (compare(sorted[kept - 1], sorted[i]) !== 0) sorted[kept++] = sorted[i];
  }
  sorted.length = kept;
  return sorted;
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

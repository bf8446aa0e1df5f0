/**
 * Deep equality of JSON values as the API server stores them: key order does not matter,
 * `undefined` members are the same as absent ones (they are never serialised).
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => semanticEqual(item, other[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set(
    [...Object.keys(ra), ...Object.keys(rb)].filter(
      (k) => ra[k] !== undefined || rb[k] !== undefined,
    ),
  );
  for (const key of keys) if (!semanticEqual(ra[key], rb[key])) return false;
  return true;
}

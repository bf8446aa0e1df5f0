/** How deep and how wide an untrusted value may be. */
export interface ShapeLimits {
  /** Most nested arrays/objects (`[]` and `{}` are depth 1, a scalar depth 0). */
  maxDepth: number;
  /** Most entries (elements or keys) of one array or object. */
  maxEntries: number;
  /** Most values in the whole tree, containers and scalars together. */
  maxNodes: number;
}

/** The limits every inbound socket.io payload and handshake `auth` object is held to. */
export const PAYLOAD_SHAPE_LIMITS: ShapeLimits = {
  maxDepth: 32,
  maxEntries: 1_000,
  maxNodes: 10_000,
};

/** Why a value was refused: too deep, or too many entries (in one container or in all). */
export type ShapeVerdict =
  { ok: true } | { ok: false; reason: 'depth' | 'entries' | 'nodes'; message: string };

const isContainer = (value: unknown): value is object =>
  typeof value === 'object' &&
  value !== null &&
  !ArrayBuffer.isView(value) &&
  !(value instanceof ArrayBuffer);

/**
 * Checks the shape of an untrusted value without recursion (an explicit stack), so it cannot
 * overflow the call stack whatever the input: run it before anything that walks the value
 * recursively (schema validation, JSON.stringify, logging). Stops at the first limit crossed,
 * so its work is bounded by `maxNodes` (cycles, impossible in decoded JSON, count as nodes too).
 * Binary attachments (Buffers, typed arrays) are leaves.
 */
export function checkShape(
  value: unknown,
  limits: ShapeLimits = PAYLOAD_SHAPE_LIMITS,
): ShapeVerdict {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  let nodes = 0;
  while (values.length > 0) {
    const current = values.pop();
    const depth = depths.pop() as number;
    if (++nodes > limits.maxNodes)
      return {
        ok: false,
        reason: 'nodes',
        message: `payload has more than ${limits.maxNodes} values`,
      };
    if (!isContainer(current)) continue;
    if (depth + 1 > limits.maxDepth)
      return {
        ok: false,
        reason: 'depth',
        message: `payload is nested deeper than ${limits.maxDepth} levels`,
      };
    const children: unknown[] = Array.isArray(current)
      ? current
      : Object.keys(current).map((key) => (current as Record<string, unknown>)[key]);
    if (children.length > limits.maxEntries) {
      return {
        ok: false,
        reason: 'entries',
        message: `payload has an array or object of more than ${limits.maxEntries} entries`,
      };
    }
    for (const child of children) {
      values.push(child);
      depths.push(depth + 1);
    }
  }
  return { ok: true };
}

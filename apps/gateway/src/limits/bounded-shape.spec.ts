import fc from 'fast-check';
import { checkShape, type ShapeLimits } from './bounded-shape';

/** A value `depth` containers deep, built without recursion (arrays or objects, as `kinds` say). */
function nested(
  depth: number,
  kinds: (i: number) => 'array' | 'object' = () => 'array',
  leaf: unknown = 1,
): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = kinds(i) === 'array' ? [value] : { k: value };
  return value;
}

/** Reference depth, recursive: only for the small values of the property below. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

const LIMITS: ShapeLimits = { maxDepth: 32, maxEntries: 1_000, maxNodes: 10_000 };

describe('checkShape', () => {
  it('accepts scalars, empty containers and a value exactly at the depth limit', () => {
    for (const value of [null, 1, 'x', true, undefined, [], {}])
      expect(checkShape(value, LIMITS)).toEqual({ ok: true });
    expect(checkShape(nested(32), LIMITS)).toEqual({ ok: true });
  });

  it('refuses one level over the depth limit, arrays and objects', () => {
    expect(checkShape(nested(33), LIMITS)).toMatchObject({ ok: false, reason: 'depth' });
    expect(
      checkShape(
        nested(33, () => 'object'),
        LIMITS,
      ),
    ).toMatchObject({ ok: false, reason: 'depth' });
  });

  it('refuses a container with too many entries, and too many values in all', () => {
    expect(
      checkShape(
        Array.from({ length: 1_001 }, () => 0),
        LIMITS,
      ),
    ).toMatchObject({ ok: false, reason: 'entries' });
    expect(
      checkShape(Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, 0])), LIMITS),
    ).toMatchObject({ ok: false, reason: 'entries' });
    const wide = Array.from({ length: 20 }, () => Array.from({ length: 600 }, () => 0));
    expect(checkShape(wide, LIMITS)).toMatchObject({ ok: false, reason: 'nodes' });
  });

  it('treats binary attachments as leaves', () => {
    expect(checkShape({ data: Buffer.alloc(100_000) }, LIMITS)).toEqual({ ok: true });
    expect(checkShape([new Uint8Array(5_000)], LIMITS)).toEqual({ ok: true });
  });

  it('stops on a cycle (counted as too many values)', () => {
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(
      checkShape(cycle, { maxDepth: 1_000_000, maxEntries: 10, maxNodes: 1_000 }),
    ).toMatchObject({ ok: false, reason: 'nodes' });
  });

  it('never recurses: a 1,000,000-deep value is refused without a stack overflow, whatever the limits', () => {
    const deep = nested(1_000_000, (i) => (i % 3 === 0 ? 'object' : 'array'));
    expect(checkShape(deep, LIMITS)).toMatchObject({ ok: false, reason: 'depth' });
    expect(checkShape(deep, { maxDepth: 2_000_000, maxEntries: 10, maxNodes: 2_000_000 })).toEqual({
      ok: true,
    });
  });

  it('never throws, and agrees with a reference depth on any JSON value (property)', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 8 }),
        fc.integer({ min: 0, max: 10 }),
        (value, maxDepth) => {
          const verdict = checkShape(value, {
            maxDepth,
            maxEntries: 1_000_000,
            maxNodes: 1_000_000,
          });
          expect(verdict.ok).toBe(depthOf(value) <= maxDepth);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on deep values of any mix of arrays and objects (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
        (depth, pattern) => {
          const value = nested(depth, (i) => (pattern[i % pattern.length] ? 'array' : 'object'));
          expect(checkShape(value, LIMITS).ok).toBe(depth <= LIMITS.maxDepth);
        },
      ),
      { numRuns: 40 },
    );
  });
});

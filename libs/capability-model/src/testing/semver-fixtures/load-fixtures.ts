/**
 * node-semver's fixtures, filtered to what applies to Anvil: strings only, in non-loose mode
 * without includePrerelease (the resolver's mode). An entry whose options have a truthy
 * `loose` or `includePrerelease`, or that passes `true` (loose) as the option, is left out;
 * falsy options (`{ loose: false }`, `{ loose: null }`, ...) are non-loose and kept.
 */

type Options = unknown;

/** A range with a version it must (`included`) or must not include. */
export interface RangeCase {
  range: string;
  version: string;
  included: boolean;
}

export interface SemverFixtures {
  /** Every distinct range string: range-parse, range-include and range-exclude. */
  ranges: string[];
  /** Every distinct version string: valid/invalid-versions and the include/exclude versions. */
  versions: string[];
  /** node-semver's verdict per range-parse entry (null = not a valid range). */
  rangeParse: Map<string, string | null>;
  /** The include/exclude pairs. */
  inclusion: RangeCase[];
}

function nonLoose(options: Options): boolean {
  if (options === undefined || options === null) return true;
  if (typeof options !== 'object') return !options;
  const o = options as { loose?: unknown; includePrerelease?: unknown };
  return !o.loose && !o.includePrerelease;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const load = (name: string): unknown[][] => require(`./${name}.js`);

export function loadSemverFixtures(): SemverFixtures {
  const ranges = new Set<string>();
  const versions = new Set<string>();
  const rangeParse = new Map<string, string | null>();
  const inclusion: RangeCase[] = [];

  for (const [range, expected, options] of load('range-parse')) {
    if (typeof range !== 'string' || !nonLoose(options)) continue;
    ranges.add(range);
    rangeParse.set(range, expected as string | null);
  }
  for (const [name, included] of [
    ['range-include', true],
    ['range-exclude', false],
  ] as const) {
    for (const [range, version, options] of load(name)) {
      if (typeof range !== 'string' || typeof version !== 'string' || !nonLoose(options)) continue;
      ranges.add(range);
      versions.add(version);
      inclusion.push({ range, version, included });
    }
  }
  for (const [version] of load('valid-versions'))
    if (typeof version === 'string') versions.add(version);
  for (const [version, , options] of load('invalid-versions'))
    if (typeof version === 'string' && nonLoose(options)) versions.add(version);

  return { ranges: [...ranges], versions: [...versions], rangeParse, inclusion };
}

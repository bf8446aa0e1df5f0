import type { Range, SemVer } from 'semver';
import { parseRange, parseVersion } from './semver-rules';
import { Diagnostic } from './types';

/** Most memoised strings per kind before the memo is emptied (bounds memory on any input). */
const MEMO_LIMIT = 20_000;
const versionMemo = new Map<string, SemVer | null>();
const rangeMemo = new Map<string, Range | null>();
/** range -> version -> whether the version satisfies it; emptied after MEMO_LIMIT answers. */
const satisfiesMemo = new Map<Range, Map<SemVer, boolean>>();
let satisfiesAnswers = 0;

function memoised<T>(
  memo: Map<string, T | null>,
  key: string,
  parse: (value: string) => T | null,
): T | null {
  let parsed = memo.get(key);
  if (parsed === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    parsed = parse(key);
    memo.set(key, parsed);
  }
  return parsed;
}

/**
 * Parses version and range strings, each distinct string once. The memo outlives one call
 * (a controller resolves many worlds against the same manifests, and `semver` keeps a
 * similar cache of its own): parsed objects are never mutated and a string always parses to
 * the same value, so results never depend on what was resolved before.
 */
export class ParseCache {
  version(value: unknown): SemVer | null {
    return typeof value === 'string' ? memoised(versionMemo, value, parseVersion) : null;
  }

  range(value: unknown): Range | null {
    return typeof value === 'string' ? memoised(rangeMemo, value, parseRange) : null;
  }

  /** range.test(version), answered once per pair of parsed objects (neither is ever mutated). */
  satisfies(range: Range, version: SemVer): boolean {
    let answers = satisfiesMemo.get(range);
    if (!answers) satisfiesMemo.set(range, (answers = new Map()));
    let satisfied = answers.get(version);
    if (satisfied === undefined) {
      if (satisfiesAnswers >= MEMO_LIMIT) {
        satisfiesMemo.clear();
        satisfiesMemo.set(range, answers);
        answers.clear();
        satisfiesAnswers = 0;
      }
      satisfied = range.test(version);
      answers.set(version, satisfied);
      satisfiesAnswers++;
    }
    return satisfied;
  }
}

/** What the steps that read the game and the manifests share (see game-plan.ts): never a world's name. */
export interface PlanContext {
  /** The game's metadata.name ('' when missing). */
  game: string;
  /** False when the world's spec.shards is unusable: world-shard requirements are then not bound. */
  shardsValid: boolean;
  parse: ParseCache;
  diagnostics: Diagnostic[];
}

/** What the per-world steps of one resolution share. */
export interface ResolveContext {
  /** The world's metadata.name ('' when missing). */
  world: string;
  /** True when the world's name can be used as-is in binding names (see binding-name.ts). */
  worldNameSafe: boolean;
  /** Number of shards, or null when the world's spec.shards is unusable. */
  shards: number | null;
  diagnostics: Diagnostic[];
}

import * as semver from 'semver';

/**
 * The one SemVer judge: the rules the CRDs (deploy/crds) and the capability model both apply
 * to versions and ranges. The patterns below appear verbatim in the CRDs' CEL `matches()`
 * rules (a unit test pins them), so what the API server admits, `anvil validate` admits and
 * the resolver resolves. They are a subset of node-semver's non-loose grammar, written with
 * constructs that mean the same in RE2 (CEL) and JavaScript: no `\s`, `\d`, lookaround or
 * backreference. Stricter than node-semver, on purpose:
 * - numbers have at most 15 digits (node-semver overflows past 2^53 - 1, e.g. `^9007199254740991.0.0`);
 * - whitespace is spaces and tabs;
 * - an empty range, or an empty side of `||`, is refused (node-semver reads it as `*`): write `*`;
 * - after an `x`, only `x` follows (`1.x.5`, `x.1` are refused, as node-semver now does), and a
 *   prerelease needs a full version (`1.x-beta` is refused; node-semver ignores the prerelease);
 * - versions (not ranges) have no leading `v` and follow Kubernetes' `isSemver()`.
 */

const NUMBER = '(0|[1-9][0-9]{0,14})';
const X = '[xX*]';
const PRE_ID = '(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const BUILD_ID = '[0-9A-Za-z-]+';
const PRERELEASE = `(-${PRE_ID}(\\.${PRE_ID})*)`;
const BUILD = `(\\+${BUILD_ID}(\\.${BUILD_ID})*)`;
const WS = '[ \\t]';
const PARTIAL =
  `v?(${NUMBER}(\\.${NUMBER}(\\.${NUMBER}${PRERELEASE}?|\\.${X})?|\\.${X}(\\.${X})?)?` +
  `|${X}(\\.${X}(\\.${X})?)?)${BUILD}?`;
const SIMPLE = `(<=|>=|<|>|=|~>|~|\\^)?${WS}*${PARTIAL}`;
const RANGE = `(${PARTIAL}${WS}+-${WS}+${PARTIAL}|${SIMPLE}(${WS}+${SIMPLE})*)`;

/**
 * A SemVer range (the CRDs' `versionConstraint` rule), e.g. `^1.2.0 || >=3.0.0 <4.0.0`. Each
 * side of `||` ends with `||` or the end of the text, so the pattern holds RANGE only once
 * (CEL's cost estimate grows with the pattern's length).
 */
export const RANGE_PATTERN = `^(${WS}*${RANGE}${WS}*(\\|\\||$))+$`;

/** The CRDs' second rule on versions, next to `isSemver(self)`: at most 15 digits per number. */
export const VERSION_NUMBERS_PATTERN = '^[0-9]{1,15}\\.[0-9]{1,15}\\.[0-9]{1,15}([-+]|$)';

/** A strict SemVer 2.0 version with numbers of at most 15 digits. */
const VERSION = new RegExp(
  `^${NUMBER}\\.${NUMBER}\\.${NUMBER}(-${PRE_ID}(\\.${PRE_ID})*)?${BUILD}?$`,
);
const RANGE_RE = new RegExp(RANGE_PATTERN);

/** The CRDs' messages for these rules (the model reports the same words). */
export const VERSION_MESSAGE =
  'must be a SemVer 2.0 version such as 1.2.3 (no leading v, at most 15 digits per number)';
export const RANGE_MESSAGE =
  'must be a SemVer range such as ^1.2.0 or >=1.0.0 <2.0.0 (write * for any version)';

/** Kubernetes' isSemver() parses numeric prerelease identifiers as unsigned 64-bit integers. */
const UINT64_MAX = 18446744073709551615n;
const numericFits = (id: string) => !/^[0-9]+$/.test(id) || BigInt(id) <= UINT64_MAX;

/**
 * Parses a version as the CRDs admit it (CEL `isSemver()` plus at most 15 digits per number).
 * Returns null for anything else, including non-strings.
 */
export function parseVersion(value: unknown): semver.SemVer | null {
  if (typeof value !== 'string' || !VERSION.test(value)) return null;
  const core = value.split('+')[0];
  const dash = core.indexOf('-');
  if (
    dash >= 0 &&
    !core
      .slice(dash + 1)
      .split('.')
      .every(numericFits)
  )
    return null;
  return semver.parse(value);
}

/** Parses a SemVer range as the CRDs admit it. Returns null when invalid. */
export function parseRange(value: unknown): semver.Range | null {
  if (typeof value !== 'string' || !RANGE_RE.test(value)) return null;
  try {
    return new semver.Range(value);
  } catch {
    return null; // unreachable for the pattern's language; semver-judge.spec.ts checks
  }
}

/**
 * The CRDs' CEL `isSemver(self)` as the Kubernetes API server evaluates it (v1.35,
 * k8s.io/apiserver/pkg/cel/library/semverlib.go): `semver.Parse` of github.com/blang/semver/v4
 * v4.0.0, transcribed line by line so unit tests can evaluate the CRD rules without a cluster.
 * Numbers are unsigned 64-bit (Go's strconv.ParseUint), not JavaScript's safe integers.
 */

const NUMBERS = '0123456789';
const ALPHANUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-' + NUMBERS;
const UINT64_MAX = 18446744073709551615n;

const containsOnly = (s: string, set: string) => [...s].every((c) => set.includes(c));
const hasLeadingZeroes = (s: string) => s.length > 1 && s[0] === '0';
const parseUint64Ok = (s: string) =>
  s.length > 0 && containsOnly(s, NUMBERS) && BigInt(s) <= UINT64_MAX;

function number(part: string): boolean {
  return containsOnly(part, NUMBERS) && !hasLeadingZeroes(part) && parseUint64Ok(part);
}

function prerelease(s: string): boolean {
  if (s.length === 0) return false;
  if (containsOnly(s, NUMBERS)) return !hasLeadingZeroes(s) && parseUint64Ok(s);
  return containsOnly(s, ALPHANUM);
}

const build = (s: string) => s.length > 0 && containsOnly(s, ALPHANUM);

/** True when Kubernetes' CEL `isSemver(value)` is true. */
export function kubernetesIsSemver(value: string): boolean {
  if (value.length === 0) return false;
  // strings.SplitN(s, ".", 3)
  const first = value.indexOf('.');
  const second = first < 0 ? -1 : value.indexOf('.', first + 1);
  if (second < 0) return false;
  const [major, minor] = [value.slice(0, first), value.slice(first + 1, second)];
  let patch = value.slice(second + 1);
  if (!number(major) || !number(minor)) return false;
  let builds: string[] = [];
  let pre: string[] = [];
  const plus = patch.indexOf('+');
  if (plus >= 0) {
    builds = patch.slice(plus + 1).split('.');
    patch = patch.slice(0, plus);
  }
  const dash = patch.indexOf('-');
  if (dash >= 0) {
    pre = patch.slice(dash + 1).split('.');
    patch = patch.slice(0, dash);
  }
  return number(patch) && pre.every(prerelease) && builds.every(build);
}

import * as fc from 'fast-check';
import * as semver from 'semver';
import { validateManifest } from './validate';
import {
  RANGE_MESSAGE,
  RANGE_PATTERN,
  VERSION_MESSAGE,
  VERSION_NUMBERS_PATTERN,
} from './semver-rules';
import { manifest, need, offer } from './testing/builders';
import { allCrdSemverFields, crdRangeRule, crdVersionRule } from './testing/crd-semver-rules';
import { run } from './testing/resolve-helpers';
import { loadSemverFixtures } from './testing/semver-fixtures/load-fixtures';

// One SemVer judge: node-semver's own fixtures, run against the CRDs' rules (read from
// deploy/crds, evaluated as the API server does) and the capability model's validator. What
// the API server admits, `anvil validate` admits and the resolver resolves, and the other way
// round; where both admit, bindings are exactly `semver.satisfies`.

const fixtures = loadSemverFixtures();
const versionRule = crdVersionRule();
const rangeRule = crdRangeRule();

const modelAdmitsVersion = (version: string) =>
  validateManifest(manifest('p', '1.0.0', { name: 'p', provides: [offer('cap', version)] })).every(
    (issue) => issue.path !== 'spec.provides[0].version',
  );

const modelAdmitsRange = (range: string) =>
  validateManifest(manifest('c', '1.0.0', { name: 'c', requires: [need('cap', range)] })).every(
    (issue) => issue.path !== 'spec.requires[0].versionConstraint',
  );

/** Does the resolver bind a consumer requiring `range` to a provider offering `version`? */
function binds(range: string, version: string): boolean {
  const resolution = run([
    manifest('c', '1.0.0', { name: 'c', requires: [need('cap', range)] }),
    manifest('p', '1.0.0', { name: 'p', provides: [offer('cap', version)] }),
  ]);
  return resolution.bindings.some((b) => b.consumer === 'c' && b.provider === 'p');
}

// The issue's examples: formerly offline and cluster disagreed on each.
const ISSUE_RANGES = ['^1.2.0 ||', '1.x.5', 'x.1', '^9007199254740991.0.0', '^1.x+build'];
const ISSUE_VERSIONS = ['v1.2.3', '9007199254740992.0.0', '1.2.3-99999999999999999999'];

function disagreements(versions: string[], ranges: string[]): string[] {
  const out: string[] = [];
  for (const v of versions)
    if (versionRule.admits(v) !== modelAdmitsVersion(v))
      out.push(`version ${JSON.stringify(v)}: CRD ${versionRule.admits(v)}`);
  for (const r of ranges)
    if (rangeRule.admits(r) !== modelAdmitsRange(r))
      out.push(`range ${JSON.stringify(r)}: CRD ${rangeRule.admits(r)}`);
  return out;
}

describe("node-semver's fixtures, the CRDs and the capability model", () => {
  const total = fixtures.ranges.length + fixtures.versions.length;

  it('uses a few hundred distinct ranges and versions', () => {
    expect(total).toBeGreaterThan(250);
  });

  it('get the same verdict from the CRD rules and the model (0 disagreements)', () => {
    const found = disagreements(fixtures.versions, fixtures.ranges);
    console.log(`SemVer fixtures: ${found.length} of ${total} distinct strings disagree`);
    expect(found).toEqual([]);
    expect(disagreements(ISSUE_VERSIONS, ISSUE_RANGES)).toEqual([]);
  });

  it('admit nothing node-semver refuses, and refuse only the stated stricter cases', () => {
    const stricter: string[] = [];
    for (const v of fixtures.versions) {
      if (modelAdmitsVersion(v)) expect(semver.valid(v)).not.toBeNull();
      else if (semver.valid(v) !== null) stricter.push(v);
    }
    for (const r of fixtures.ranges) {
      if (modelAdmitsRange(r)) expect(semver.validRange(r)).not.toBeNull();
      else if (semver.validRange(r) !== null && r.length <= 256) stricter.push(r); // maxLength
    }
    expect(stricter.sort()).toEqual(
      [
        'v1.2.3', // versions have no leading v (Kubernetes' isSemver)
        '', // an empty range, or an empty side of ||: write *
        '||',
        '=9007199254740991.0.0', // numbers have at most 15 digits
        '^9007199254740990.0.0',
        '1.x.x-alpha+build', // a prerelease needs a full version (node-semver ignores it here)
        '>1.x.x-alpha+build',
        '>=1.x.x-alpha+build <2.x.x+build',
        '1.x.x-alpha+build || 2.x.x+build',
      ].sort(),
    );
  });

  it('bind exactly as semver.satisfies (and the fixture) says, wherever both admit', () => {
    let checked = 0;
    for (const { range, version, included } of fixtures.inclusion) {
      if (!modelAdmitsRange(range) || !modelAdmitsVersion(version)) continue;
      checked++;
      expect([range, version, binds(range, version)]).toEqual([
        range,
        version,
        semver.satisfies(version, range),
      ]);
      expect([range, version, semver.satisfies(version, range)]).toEqual([
        range,
        version,
        included,
      ]);
    }
    expect(checked).toBeGreaterThan(150);
  });
});

describe('the CRDs hold the same rules as the model', () => {
  it('every SemVer field of every CRD has the model pattern and message', () => {
    const fields = allCrdSemverFields();
    expect(fields.size).toBe(5);
    for (const [where, field] of fields) {
      const rules = field['x-kubernetes-validations']!;
      const isRange = rules.some((r) => r.rule.includes(RANGE_PATTERN));
      expect([where, rules]).toEqual([
        where,
        isRange
          ? [{ rule: `self.matches(r'${RANGE_PATTERN}')`, message: RANGE_MESSAGE }]
          : [
              { rule: 'isSemver(self)', message: VERSION_MESSAGE },
              { rule: `self.matches(r'${VERSION_NUMBERS_PATTERN}')`, message: VERSION_MESSAGE },
            ],
      ]);
      expect([where, field.maxLength]).toEqual([where, isRange ? 256 : 128]);
    }
  });

  it('patterns use only constructs that mean the same in RE2 (CEL) and JavaScript', () => {
    for (const pattern of [RANGE_PATTERN, VERSION_NUMBERS_PATTERN]) {
      expect(pattern).not.toMatch(/\\[sSdDwWbB1-9pPk]|\(\?|'/);
      expect(pattern).toMatch(/^\^.*\$\)?$/); // anchored at both ends
    }
  });
});

// Ranges built from the pattern's own grammar: whatever the API server admits, node-semver
// parses, so the resolver resolves it.
const num = fc.oneof(
  fc.constant('0'),
  fc.integer({ min: 1, max: 999_999_999_999_999 }).map(String),
);
const x = fc.constantFrom('x', 'X', '*');
const pre = fc.constantFrom('', '-0', '-alpha', '-beta.1', '-1a.2', '-x');
const build = fc.constantFrom('', '+b', '+build.7', '+0-a');
const partial = fc
  .tuple(
    fc.constantFrom('', 'v'),
    fc.oneof(
      fc.tuple(num, num, num, pre).map(([a, b, c, p]) => `${a}.${b}.${c}${p}`),
      fc.tuple(num, num, fc.constantFrom('', '.x', '.*')).map(([a, b, t]) => `${a}.${b}${t}`),
      fc.tuple(num, fc.constantFrom('', '.x', '.x.x', '.*.X')).map(([a, t]) => `${a}${t}`),
      fc.tuple(x, fc.constantFrom('', '.x', '.x.*')).map(([a, t]) => `${a}${t}`),
    ),
    build,
  )
  .map((parts) => parts.join(''));
const ws = fc.constantFrom(' ', '  ', '\t');
const simple = fc
  .tuple(
    fc.constantFrom('', '<=', '>=', '<', '>', '=', '~>', '~', '^'),
    fc.constantFrom('', ' '),
    partial,
  )
  .map((parts) => parts.join(''));
const oneRange = fc.oneof(
  fc.tuple(partial, ws, ws, partial).map(([a, s, t, b]) => `${a}${s}-${t}${b}`),
  fc.array(fc.tuple(simple, ws), { minLength: 1, maxLength: 3 }).map((l) =>
    l
      .map((p) => p.join(''))
      .join('')
      .trim(),
  ),
);
const rangeSet = fc
  .array(oneRange, { minLength: 1, maxLength: 3 })
  .chain((sides) => fc.constantFrom(' || ', '||', '\t|| ').map((sep) => sides.join(sep)));

describe('ranges the CRD rule admits', () => {
  it('are valid for node-semver and the model, and never match a version node-semver would not', () => {
    fc.assert(
      fc.property(rangeSet, fc.tuple(num, num, num), (range, [a, b, c]) => {
        if (range.length > 256) return;
        expect([range, rangeRule.admits(range)]).toEqual([range, true]);
        expect([range, modelAdmitsRange(range)]).toEqual([range, true]);
        expect(semver.validRange(range)).not.toBeNull();
        const version = `${a}.${b}.${c}`;
        expect(binds(range, version)).toBe(semver.satisfies(version, range));
      }),
      { numRuns: 300 },
    );
  });
});

describe('versions', () => {
  // Kubernetes' isSemver and the model's own version rule are written independently.
  const chars = fc.constantFrom(...'0123456789.-+aZv x'.split(''));
  it('the CRD rules and the model agree on arbitrary version-like strings', () => {
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 24 }).map((c) => c.join('')),
        (v) => {
          expect([v, modelAdmitsVersion(v)]).toEqual([v, versionRule.admits(v)]);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('are valid for node-semver wherever the CRD admits them', () => {
    fc.assert(
      fc.property(fc.tuple(num, num, num, pre, build), ([a, b, c, p, d]) => {
        const v = `${a}.${b}.${c}${p}${d}`;
        expect([v, versionRule.admits(v), modelAdmitsVersion(v)]).toEqual([v, true, true]);
        expect(semver.valid(v)).not.toBeNull();
      }),
    );
  });
});

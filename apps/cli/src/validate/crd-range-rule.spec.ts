import * as fs from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';
import { parse } from 'yaml';
import { findCrdDir } from './crd-schemas';

// The CRDs check SemVer ranges with a CEL regex (the API server has no range function).
// This pins the regex to what the `semver` package, used by the resolver, accepts.
function rangeRule(): RegExp {
  const crd = parse(fs.readFileSync(path.join(findCrdDir(), 'modulemanifests.yaml'), 'utf8'));
  const field = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.requires.items.properties.versionConstraint;
  const rule: string = field['x-kubernetes-validations'][0].rule;
  return new RegExp(/^self\.matches\(r'(.*)'\)$/.exec(rule)![1]);
}

describe('the CRD range rule', () => {
  const re = rangeRule();
  const valid = ['^1.2.3', '~1.2', '>=1.0.0 <2.0.0', '1.x', '*', 'x', '1.2.3 - 2.3.4', '^2.0.0-beta.1', '>=1 || ^3', '=1.0.0', 'v1.2.3', '>= 1.2.3', '1.2.3+build.5', '~>1.2'];
  const invalid = ['abc', '^^1', '>=1.0.0 <', '1.2.3.4', '01.2.3', 'latest', '1 -- 2', '>=1 ||| 2'];

  it.each(valid)('accepts %s like semver does', (range) => {
    expect(semver.validRange(range)).not.toBeNull();
    expect(re.test(range)).toBe(true);
  });

  it.each(invalid)('refuses %s like semver does', (range) => {
    expect(semver.validRange(range)).toBeNull();
    expect(re.test(range)).toBe(false);
  });

  it('also refuses the empty range, which semver would read as "*"', () => {
    expect(re.test('')).toBe(false);
  });
});

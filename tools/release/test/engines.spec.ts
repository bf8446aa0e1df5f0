// The workspace's `engines.node` promises the Node.js versions Anvil runs on; every package the
// lock file installs (optional platform packages aside) must support all of them, so `npm ci`
// never warns EBADENGINE and the README's promise holds.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';

const ROOT = path.join(__dirname, '..', '..', '..');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));

interface LockedPackage {
  optional?: boolean;
  engines?: { node?: string } | string[];
}

describe('engines.node', () => {
  const ours: string = read('package.json').engines.node;
  const locked: Record<string, LockedPackage> = read('package-lock.json').packages;

  it('is a valid range that admits the Node.js running the tests', () => {
    expect(semver.validRange(ours)).not.toBeNull();
    expect(semver.satisfies(process.versions.node, ours)).toBe(true);
  });

  it('is supported by every installed package', () => {
    const disagreeing = Object.entries(locked)
      .filter(([name, pkg]) => name !== '' && !pkg.optional)
      .map(([name, pkg]) => [name, Array.isArray(pkg.engines) ? undefined : pkg.engines?.node])
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .filter(([, range]) => !semver.subset(ours, range))
      .map(([name, range]) => `${name.replace(/^.*node_modules\//, '')} wants node ${range}`);
    expect(disagreeing).toEqual([]);
  });
});

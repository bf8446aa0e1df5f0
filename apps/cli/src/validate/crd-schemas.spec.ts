import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findCrdDir } from './crd-schemas';

const repoCrds = path.join(__dirname, '..', '..', '..', '..', 'deploy', 'crds');

describe('findCrdDir', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-cli-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds the CRDs bundled next to a built CLI installed outside any checkout', () => {
    const bundled = path.join(root, 'apps', 'cli', 'dist', 'crds');
    fs.mkdirSync(bundled, { recursive: true });
    fs.copyFileSync(
      path.join(repoCrds, 'modulemanifests.yaml'),
      path.join(bundled, 'modulemanifests.yaml'),
    );
    fs.mkdirSync(path.join(root, 'apps', 'cli', 'dist', 'validate'));
    expect(findCrdDir(path.join(root, 'apps', 'cli', 'dist', 'validate'))).toBe(bundled);
  });

  it("finds a repository's deploy/crds from its sources", () => {
    expect(findCrdDir(__dirname)).toBe(repoCrds);
  });

  it('says how to recover when there are none', () => {
    expect(() => findCrdDir(root)).toThrow(
      'cannot find the anvil.dev CRDs (deploy/crds); reinstall the CLI',
    );
  });
});

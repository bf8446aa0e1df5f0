// What platform teams rely on: `nx affected` builds only the projects a change reaches, and
// `nx release` versions and tags each project on its own. Both are asked of the real Nx with
// the repository's project graph; the release is a dry run, so nothing is written.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const repo = path.join(__dirname, '..', '..', '..');
const nx = (...args: string[]) =>
  execFileSync(process.execPath, [require.resolve('nx/bin/nx.js', { paths: [repo] }), ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' },
    timeout: 120_000,
  });
const gitStatus = () =>
  execFileSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' });
const affectedBy = (file: string) =>
  nx('show', 'projects', '--affected', `--files=${file}`).trim().split('\n').filter(Boolean).sort();

describe('nx affected', () => {
  it('reaches an app alone when only the app changed', () => {
    expect(affectedBy('apps/resolver-controller/src/main.ts')).toEqual(['resolver-controller']);
  });

  it('reaches the embedded host, which composes the apps, when an app it runs changed', () => {
    expect(affectedBy('apps/physics-engine/src/main.ts')).toEqual(['embedded', 'physics-engine']);
  });

  it('reaches a library and the apps that use it, not the others', () => {
    expect(affectedBy('libs/storage/src/domain.ts')).toEqual([
      'embedded',
      'gateway',
      'physics-engine',
      'resolver-controller',
      'storage',
    ]);
  });

  it('treats the engine contract .proto as part of libs/engine-contract', () => {
    expect(affectedBy('proto/game/engine/v1/engine.proto')).toEqual([
      'embedded',
      'engine-contract',
      'gateway',
      'interaction-engine',
      'physics-engine',
    ]);
  });
});

describe('nx release (dry run)', () => {
  it('versions, changelogs and tags one project on its own, touching nothing else', () => {
    const before = gitStatus();
    const out = nx(
      'release',
      'patch',
      '--projects=physics-engine',
      '--dry-run',
      '--skip-publish',
      '--verbose',
    );
    expect(out).toMatch(
      /physics-engine .*New version (\d+\.\d+\.\d+) written to manifest: apps\/physics-engine\/package\.json/,
    );
    const version = /New version (\d+\.\d+\.\d+)/.exec(out)?.[1];
    expect(out).toContain(`git tag --annotate physics-engine@${version}`);
    expect(out).toContain('apps/physics-engine/CHANGELOG.md');
    // Independent versions: no other project's manifest is staged.
    const staged = [...out.matchAll(/^git add (.+)$/gm)].flatMap((m) => m[1].split(' '));
    expect(staged.length).toBeGreaterThan(0);
    expect(
      staged.every(
        (file) => file.startsWith('apps/physics-engine/') || file === 'package-lock.json',
      ),
    ).toBe(true);
    expect(gitStatus()).toBe(before);
  });
});

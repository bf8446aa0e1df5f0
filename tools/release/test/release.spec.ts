// What platform teams rely on: `nx affected` builds only the projects a change reaches, and
// `nx release` versions and tags each project on its own. Both are asked of the real Nx with
// the repository's project graph; the release is a dry run, so nothing is written.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
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

  it('reaches a game module alone (and a host that composes it), not the other game module', () => {
    // The embedded host reaches the apps it runs through their packages.
    const embedded = JSON.parse(
      fs.readFileSync(path.join(repo, 'tools', 'embedded', 'package.json'), 'utf8'),
    ) as { dependencies: Record<string, string> };
    const hosts = '@anvil/tag-game' in embedded.dependencies ? ['embedded'] : [];
    expect(affectedBy('apps/tag-game/src/rules/tag-rules.ts')).toEqual([...hosts, 'tag-game']);
  });

  it('reaches both game modules, and nothing else of the data plane, when the game host changed', () => {
    expect(affectedBy('libs/game-host/src/rules/game-rules.ts')).toEqual([
      'embedded',
      'game-host',
      'interaction-engine',
      'tag-game',
    ]);
  });

  it('reaches the embedded host, which composes the apps, when an app it runs changed', () => {
    expect(affectedBy('apps/physics-engine/src/main.ts')).toEqual(['embedded', 'physics-engine']);
  });

  it('reaches a library and the apps that use it, not the others', () => {
    // The game modules keep their leases and rules state in storage too (through ownership).
    expect(affectedBy('libs/storage/src/domain.ts')).toEqual([
      'analytics',
      'embedded',
      'game-host',
      'gateway',
      'interaction-engine',
      'ownership',
      'physics-engine',
      'resolver-controller',
      'storage',
      'tag-game',
    ]);
    expect(affectedBy('libs/ownership/src/placement.ts')).toEqual([
      'embedded',
      'game-host',
      'interaction-engine',
      'ownership',
      'physics-engine',
      'tag-game',
    ]);
  });

  it('treats the engine contract .proto as part of libs/engine-contract', () => {
    expect(affectedBy('proto/game/engine/v1/engine.proto')).toEqual([
      'embedded',
      'engine-contract',
      'game-host',
      'gateway',
      'interaction-engine',
      'physics-engine',
      'tag-game',
    ]);
  });
});

describe('nx release (dry run)', () => {
  // The tag game starts from the 1.0.0 of its manifest (it has no release tag yet).
  it.each([
    ['physics-engine', 'apps/physics-engine', /^\d+\.\d+\.\d+$/],
    ['tag-game', 'apps/tag-game', /^1\.0\.1$/],
  ])('versions, changelogs and tags %s on its own, touching nothing else', (project, dir, next) => {
    const before = gitStatus();
    const out = nx(
      'release',
      'patch',
      `--projects=${project}`,
      '--dry-run',
      '--skip-publish',
      '--verbose',
    );
    expect(out).toMatch(
      new RegExp(
        `${project} .*New version (\\d+\\.\\d+\\.\\d+) written to manifest: ${dir}/package\\.json`,
      ),
    );
    const version = /New version (\d+\.\d+\.\d+)/.exec(out)?.[1];
    expect(version).toMatch(next);
    expect(out).toContain(`git tag --annotate ${project}@${version}`);
    expect(out).toContain(`${dir}/CHANGELOG.md`);
    // Independent versions: no other project's manifest is staged.
    const staged = [...out.matchAll(/^git add (.+)$/gm)].flatMap((m) => m[1].split(' '));
    expect(staged.length).toBeGreaterThan(0);
    expect(staged.every((file) => file.startsWith(`${dir}/`) || file === 'package-lock.json')).toBe(
      true,
    );
    expect(gitStatus()).toBe(before);
  });
});

// What the CLI's specs share: the example folder, a run of the CLI with captured output, and a
// temporary folder per test to write YAML into.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../cli';
import { CliIo } from '../io';

export const examples = path.join(__dirname, '..', '..', '..', '..', 'deploy', 'examples');

/**
 * Not an example: a game over the example manifests (resolve it with `-f examples -f <this>`)
 * that binds what deploy/examples no longer does, a world-shard requirement (physics-rapier's
 * state.checkpoint, once per shard) and a "many" requirement with two providers
 * (analytics-kafka 1.0.0 and an archive sink 1.2.0). World `replay-1`, 2 shards: 4 bindings.
 */
export const replayYaml = `apiVersion: anvil.dev/v1alpha1
kind: ModuleManifest
metadata: { name: replay-recorder-1.0.0 }
spec:
  module: replay-recorder
  version: 1.0.0
  image: example/replay-recorder:1.0.0
  endpoint: { port: 50070, protocol: grpc }
  requires:
    - { capabilityId: state.checkpoint, versionConstraint: ^1.0.0, scope: world-shard, multiplicity: '1', dependencyMode: required }
    - { capabilityId: analytics.sink, versionConstraint: ^1.0.0, scope: world, multiplicity: many, dependencyMode: optional }
---
apiVersion: anvil.dev/v1alpha1
kind: ModuleManifest
metadata: { name: analytics-archive-1.2.0 }
spec:
  module: analytics-archive
  version: 1.2.0
  image: example/analytics-archive:1.2.0
  endpoint: { port: 8081, protocol: http }
  provides:
    - { capabilityId: analytics.sink, version: 1.2.0, scope: world }
---
apiVersion: anvil.dev/v1alpha1
kind: GameDefinition
metadata: { name: replay }
spec:
  modules:
    - { name: replay-recorder }
    - { name: physics-rapier, versionConstraint: ^1.0.0 }
    - { name: analytics-kafka }
    - { name: analytics-archive }
---
apiVersion: anvil.dev/v1alpha1
kind: WorldInstance
metadata: { name: replay-1 }
spec: { gameRef: replay, region: eu-west, shards: 2 }
`;

/** Runs the CLI with these arguments; its exit code and what it printed. */
export function runCli(...argv: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = run(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A fresh temporary folder for each test of the calling file. */
export function useTempDir(): { dir(): string; write(name: string, text: string): string } {
  let current = '';
  beforeEach(() => {
    current = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-cli-'));
  });
  afterEach(() => fs.rmSync(current, { recursive: true, force: true }));
  return {
    dir: () => current,
    write(name, text) {
      const file = path.join(current, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      return file;
    },
  };
}

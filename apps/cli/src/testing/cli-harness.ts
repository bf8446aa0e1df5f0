// What the CLI's specs share: the example folder, a run of the CLI with captured output, and a
// temporary folder per test to write YAML into.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../cli';
import { CliIo } from '../io';

export const examples = path.join(__dirname, '..', '..', '..', '..', 'deploy', 'examples');

/** test/fixtures/replay-game.yaml: a game that binds per shard and ranks two sinks (see its header). */
export const replayYaml = fs.readFileSync(
  path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'replay-game.yaml'),
  'utf8',
);

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

// `npm run check:cycles` keeps the first-level folders of each project's src/ acyclic
// (docs/decisions.md, "Folder layering"): a fixture tree with a cycle must fail it, naming the
// folders and the import lines, and an acyclic one must pass.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const script = path.join(__dirname, '..', 'check-folder-cycles.cjs');

/** A project folder whose `src/` holds the given files (path relative to src → content). */
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'folder-cycles-'));
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(dir, 'src', file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return dir;
}

function check(...dirs: string[]) {
  const run = spawnSync(process.execPath, [script, ...dirs], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const created: string[] = [];
const fixture = (files: Record<string, string>) => {
  const dir = project(files);
  created.push(dir);
  return dir;
};
afterAll(() => created.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

describe('check-folder-cycles', () => {
  it('passes a layered tree', () => {
    const dir = fixture({
      'errors/codes.ts': 'export const CODE = 1;\n',
      'worlds/worlds.ts': "import { CODE } from '../errors/codes';\nexport const W = CODE;\n",
      'app/app.ts':
        "import { W } from '../worlds/worlds';\nimport { CODE } from '../errors/codes';\n",
      'main.ts': "import './app/app';\n",
    });
    const run = check(dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('no folder cycles in 1 project(s)');
  });

  it('fails on two folders importing each other, naming the cycle and its import lines', () => {
    const dir = fixture({
      'commands/commands.ts':
        "import { joined } from '../worlds/joined';\nexport const c = joined;\n",
      'worlds/joined.ts': 'export const joined = true;\n',
      'worlds/gateway.ts':
        "// the world's gateway\nimport type { c } from '../commands/commands';\n",
    });
    const run = check(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('folder cycle commands -> worlds -> commands');
    expect(run.stderr).toContain(
      "commands/commands.ts:1: import { joined } from '../worlds/joined';",
    );
    expect(run.stderr).toContain(
      "worlds/gateway.ts:2: import type { c } from '../commands/commands';",
    );
    expect(run.stderr).toContain('1 folder cycle(s)');
  });

  it('finds a longer cycle through re-exports, dynamic imports and folder indexes', () => {
    const dir = fixture({
      'a/index.ts': "export { b } from '../b/b';\n",
      'b/b.ts': "export const b = () => import('../c');\n",
      'c/index.ts': "import {\n  a,\n} from '../a';\nexport const c = a;\n",
    });
    const run = check(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('folder cycle a -> b -> c -> a');
    expect(run.stderr).toContain("c/index.ts:1: import { a, } from '../a';");
  });

  it('counts a root file as a node of its own', () => {
    const dir = fixture({
      'output.ts': "import { problem } from './validate/problem';\nexport const out = problem;\n",
      'validate/problem.ts': "import { out } from '../output';\nexport const problem = out;\n",
    });
    const run = check(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('folder cycle output.ts -> validate -> output.ts');
  });

  it('leaves spec files, imports within a folder and package imports out', () => {
    const dir = fixture({
      'worlds/worlds.ts': "import { x } from './x';\nimport { Bus } from '@anvil/bus';\n",
      'worlds/x.ts': 'export const x = 1;\n',
      'testing/stack.ts': "import '../worlds/worlds';\n",
      'worlds/worlds.spec.ts': "import '../testing/stack';\n",
    });
    expect(check(dir).status).toBe(0);
  });

  it('finds no cycle in the repository’s apps and libraries', () => {
    const run = check();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('reports every project it is given', () => {
    const clean = fixture({ 'a/a.ts': 'export const a = 1;\n' });
    const tangled = fixture({
      'a/a.ts': "import '../b/b';\n",
      'b/b.ts': "import '../a/a';\n",
    });
    const run = check(clean, tangled);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${tangled}: folder cycle a -> b -> a`);
    expect(run.stderr).not.toContain(`${clean}:`);
  });
});

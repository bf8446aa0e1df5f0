import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// src/generated/ is committed and never edited by hand: regenerating from proto/ with the
// committed buf.gen.yaml must give byte-identical files (run `npm run generate` when this fails).
const projectDir = path.join(__dirname, '..');
const bin = path.join(projectDir, '..', '..', 'node_modules', '.bin');

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('generated code', () => {
  it('matches a fresh buf generate of proto/', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-contract-gen-'));
    try {
      execFileSync(path.join(bin, 'buf'), ['generate', '--template', 'buf.gen.yaml', '-o', out], {
        cwd: projectDir,
        env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
        stdio: 'pipe',
      });
      const committed = path.join(projectDir, 'src', 'generated');
      const fresh = path.join(out, 'src', 'generated');
      expect(listFiles(fresh)).toEqual(listFiles(committed));
      for (const file of listFiles(committed)) {
        expect({ file, text: fs.readFileSync(path.join(fresh, file), 'utf8') }).toEqual({
          file,
          text: fs.readFileSync(path.join(committed, file), 'utf8'),
        });
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});

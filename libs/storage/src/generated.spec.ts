import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// src/generated/ is committed and never edited by hand: `npm run generate` (scripts/generate.cjs)
// from the committed prisma/schema.prisma must give byte-identical files. When this fails, run
// `npm run generate -w @anvil/storage` and commit the result.
const projectDir = path.join(__dirname, '..');

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('generated Prisma client', () => {
  it('matches a fresh generate of prisma/schema.prisma', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-gen-'));
    try {
      fs.mkdirSync(path.join(out, 'prisma'));
      fs.copyFileSync(
        path.join(projectDir, 'prisma', 'schema.prisma'),
        path.join(out, 'prisma', 'schema.prisma'),
      );
      execFileSync(
        process.execPath,
        [
          path.join(projectDir, 'scripts', 'generate.cjs'),
          path.join(out, 'prisma', 'schema.prisma'),
        ],
        {
          env: { ...process.env, GENERATE_QUIET: '1' },
          stdio: 'pipe',
        },
      );
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
  }, 120_000);
});

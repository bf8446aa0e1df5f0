import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** The repository's root folder. */
export const repo = path.resolve(__dirname, '..', '..', '..');

/** Every file git tracks or would track (untracked but not ignored), relative to the root. */
export function repositoryFiles(): string[] {
  const output = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: repo,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return output.split('\0').filter((file) => file.length > 0);
}

/** Hand-written source files (generated code left out). */
export function sourceFiles(): string[] {
  return repositoryFiles().filter(
    (file) => /\.(ts|cjs|mjs|js)$/.test(file) && !file.includes('/generated/'),
  );
}

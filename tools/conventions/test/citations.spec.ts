import * as fs from 'node:fs';
import * as path from 'node:path';
import { repo, repositoryFiles, sourceFiles } from './repository-files';

const read = (file: string) => fs.readFileSync(path.join(repo, file), 'utf8');

// Code explains itself by citing the repository's own docs/, never a document that is not in it.
describe('citations', () => {
  it('every docs/*.md that code cites exists', () => {
    const missing = sourceFiles().flatMap((file) =>
      [...read(file).matchAll(/\bdocs\/[A-Za-z0-9_./-]+\.md\b/g)]
        .map((match) => match[0])
        .filter((cited) => !fs.existsSync(path.join(repo, cited)))
        .map((cited) => `${file} cites ${cited}`),
    );
    expect(missing).toEqual([]);
  });

  it('every top-level document a file names (README.md ...) is in the repository', () => {
    const files = repositoryFiles();
    // CHANGELOG.md files are written by `nx release`.
    const names = new Set(['CHANGELOG.md', ...files.map((file) => path.basename(file))]);
    const missing = files
      .filter((file) => /\.(ts|cjs|mjs|js|md)$/.test(file))
      .flatMap((file) =>
        [...read(file).matchAll(/\b[A-Z][A-Z_-]+\.md\b/g)]
          .map((match) => match[0])
          .filter((name) => !names.has(name))
          .map((name) => `${file} names ${name}`),
      );
    expect(missing).toEqual([]);
  });

  it('every relative link in README.md and docs/ points at a file of the repository', () => {
    const docs = repositoryFiles().filter((file) => /(^|\/)README\.md$|^docs\/.+\.md$/.test(file));
    const broken = docs.flatMap((file) =>
      [...read(file).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
        .map((match) => match[1]!)
        .filter((target) => !/^[a-z]+:/.test(target))
        .filter((target) => !fs.existsSync(path.join(repo, path.dirname(file), target)))
        .map((target) => `${file} links ${target}`),
    );
    expect(broken).toEqual([]);
  });
});

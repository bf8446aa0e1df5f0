#!/usr/bin/env node
// `npm run generate`: writes the Prisma client from prisma/schema.prisma into src/generated/prisma
// (committed; src/generated.spec.ts fails when it is stale). Two things beyond `prisma generate`:
//  - PRISMA_SCHEMA_ENGINE_BINARY names an executable (node itself) so the CLI does not try to
//    download a schema engine it does not need for generating;
//  - the client loads its query compiler with `await import(...)`, which Jest's CommonJS runtime
//    cannot run without --experimental-vm-modules; those become `require(...)` (same modules, both
//    have CommonJS builds), so the client loads the same way in Node, in Jest and from dist/.
// Usage: node scripts/generate.cjs [path/to/schema.prisma]; output goes to ../src/generated/prisma
// relative to the schema, as the schema's generator block says.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const projectDir = path.join(__dirname, '..');
const schema = path.resolve(process.argv[2] ?? path.join(projectDir, 'prisma', 'schema.prisma'));
const outDir = path.join(path.dirname(schema), '..', 'src', 'generated', 'prisma');

execFileSync(
  process.execPath,
  [
    require.resolve('prisma/build/index.js', { paths: [projectDir] }),
    'generate',
    '--schema',
    schema,
  ],
  {
    cwd: path.dirname(schema),
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
    stdio: process.env.GENERATE_QUIET ? 'pipe' : 'inherit',
  },
);

for (const entry of fs.readdirSync(outDir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
  const file = path.join(entry.parentPath, entry.name);
  const source = fs.readFileSync(file, 'utf8');
  const fixed = source.replace(/await import\((["'][^"']+["'])\)/g, 'require($1)');
  if (/\bimport\(/.test(fixed))
    throw new Error(`${file}: a dynamic import is left that generate.cjs does not rewrite`);
  if (fixed !== source) fs.writeFileSync(file, fixed);
}

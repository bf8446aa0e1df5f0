// Lint rules for every file of the repository (`npm run lint:repo` lints them all, CI runs it).
// The module boundaries encode docs/decisions.md:
// apps depend on libs (never on each other); the domain is framework-free;
// only libs/bus talks to Kafka, only libs/storage to Prisma, only the
// resolver controller and the CLI to the Kubernetes API. A host (tools/embedded)
// composes apps through their packages' entry points; nothing depends on a host.
const nx = require('@nx/eslint-plugin');
const tseslint = require('typescript-eslint');
const globals = require('globals');

const frameworks = [
  '@nestjs/*',
  '@kubernetes/*',
  '@prisma/*',
  'prisma',
  'kafkajs',
  '@grpc/*',
  'pg',
  'socket.io',
  'socket.io-client',
  '@electric-sql/*',
  'pglite-prisma-adapter',
];
const storageDrivers = ['@prisma/*', 'prisma', 'pg', '@electric-sql/*', 'pglite-prisma-adapter'];

module.exports = tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', '**/.nx/**', '.testenv/**'] },
  ...tseslint.configs.recommended,
  {
    // Scripts, tools, benchmarks and configs: CommonJS run by Node.
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:host',
              onlyDependOnLibsWithTags: ['type:app', 'type:domain', 'type:contract', 'type:infra'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contract', 'type:infra'],
            },
            {
              sourceTag: 'type:infra',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contract', 'type:infra'],
            },
            {
              sourceTag: 'type:contract',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contract'],
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain'],
              bannedExternalImports: frameworks,
            },
            { sourceTag: 'scope:data-plane', bannedExternalImports: ['@kubernetes/*'] },
            { sourceTag: 'type:app', bannedExternalImports: ['kafkajs', ...storageDrivers] },
            {
              sourceTag: 'type:contract',
              bannedExternalImports: ['kafkajs', '@kubernetes/*', ...storageDrivers],
            },
          ],
        },
      ],
    },
  },
  {
    // The live view's browser scripts share one global scope (tools/embedded/tsconfig.web.json
    // joins them into one file); what one declares another uses, which tsc checks, not ESLint.
    files: ['tools/embedded/web/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    files: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);

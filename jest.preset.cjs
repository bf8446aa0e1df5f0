// Shared Jest settings: TypeScript through ts-jest (transpile only; `build` type-checks),
// workspace libraries mapped to their sources so tests never need a prior build.
const path = require('node:path');

const libs = path.join(__dirname, 'libs');

/** @param {string} projectDir @param {'unit'|'integration'} kind */
function preset(projectDir, kind = 'unit') {
  const integration = kind === 'integration';
  return {
    displayName: `${path.basename(projectDir)}${integration ? ':int' : ''}`,
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: integration ? ['<rootDir>/**/*.int.spec.ts'] : ['<rootDir>/**/*.spec.ts'],
    testPathIgnorePatterns: [
      '/node_modules/',
      '/dist/',
      ...(integration ? [] : ['\\.int\\.spec\\.ts$']),
    ],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(projectDir, 'tsconfig.spec.json') }],
      // PGlite's CommonJS build uses dynamic import(), which Jest's vm cannot run.
      '@electric-sql/pglite/dist/.+\\.cjs$': path.join(
        __dirname,
        'tools/jest/pglite-transform.cjs',
      ),
    },
    transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)'],
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper: {
      '^@anvil/([^/]+)$': `${libs}/$1/src/index.ts`,
      '^@anvil/([^/]+)/(.+)$': `${libs}/$1/src/$2`,
    },
    ...(integration
      ? {
          globalSetup: path.join(__dirname, 'tools/jest/integration-global-setup.cjs'),
          setupFiles: [path.join(__dirname, 'tools/jest/load-testenv.cjs')],
          testTimeout: 120_000,
        }
      : {}),
  };
}

module.exports = { preset };

// Tests against the real services of tools/testenv (`npm run test:integration`).
const { projectConfigs } = require('./tools/jest/projects.cjs');

module.exports = {
  // testTimeout is a global option: Jest ignores it inside a project's config.
  testTimeout: 120_000,
  projects: projectConfigs('jest.int.config.cjs'),
  reporters: ['default', '<rootDir>/tools/jest/summary-reporter.cjs'],
};

// Every project's unit tests in one Jest run (`npm test`).
const { projectConfigs } = require('./tools/jest/projects.cjs');

module.exports = {
  // testTimeout is a global option: Jest ignores it inside a project's config.
  testTimeout: 60_000,
  projects: projectConfigs('jest.config.cjs'),
  reporters: ['default', '<rootDir>/tools/jest/summary-reporter.cjs'],
};

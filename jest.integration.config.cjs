// Tests against the real services of tools/testenv (`npm run test:integration`).
const { projectConfigs } = require('./tools/jest/projects.cjs');

module.exports = {
  projects: projectConfigs('jest.int.config.cjs'),
  reporters: ['default', '<rootDir>/tools/jest/summary-reporter.cjs'],
};

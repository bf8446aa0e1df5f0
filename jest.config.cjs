// Every project's unit tests in one Jest run (`npm test`).
const { projectConfigs } = require('./tools/jest/projects.cjs');

module.exports = {
  projects: projectConfigs('jest.config.cjs'),
  reporters: ['default', '<rootDir>/tools/jest/summary-reporter.cjs'],
};

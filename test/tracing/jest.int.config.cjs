const base = require('../../jest.preset.cjs').preset(__dirname, 'integration');

module.exports = { ...base, displayName: 'e2e:tracing' };

// Tests that span several apps (booted in one process on loopback); no external service needed.
const base = require('../../jest.preset.cjs').preset(__dirname);

module.exports = { ...base, displayName: 'e2e:data-plane', testTimeout: 60_000 };

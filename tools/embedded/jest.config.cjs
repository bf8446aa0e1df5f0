// The apps the host composes resolve to their sources in tests, as the libraries do.
const { withApps } = require('./jest.apps.cjs');

module.exports = withApps(require('../../jest.preset.cjs').preset(__dirname));

const { withApps } = require('./jest.apps.cjs');

module.exports = withApps(require('../../jest.preset.cjs').preset(__dirname, 'integration'));

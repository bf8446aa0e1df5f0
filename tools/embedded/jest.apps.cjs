// Maps the app packages the host imports (`@anvil/gateway`, ...) to their sources, ahead of the
// preset's mapping of `@anvil/*` to libs/.
const path = require('node:path');

const apps = path.join(__dirname, '..', '..', 'apps');

function withApps(config) {
  return {
    ...config,
    moduleNameMapper: {
      '^@anvil/(gateway|physics-engine|interaction-engine|tag-game|analytics)$': `${apps}/$1/src/index.ts`,
      ...config.moduleNameMapper,
    },
  };
}

module.exports = { withApps };

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');

/** Every apps/*, libs/* (and tools/*) folder that has the given Jest config file. */
function projectConfigs(fileName) {
  return ['apps', 'libs', 'tools', 'bench', 'test']
    .flatMap((group) => {
      const dir = path.join(root, group);
      return fs.existsSync(dir)
        ? fs.readdirSync(dir).map((name) => path.join(dir, name, fileName))
        : [];
    })
    .filter((file) => fs.existsSync(file))
    .sort();
}

module.exports = { projectConfigs };

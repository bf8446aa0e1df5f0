// Fails the whole integration run loudly (never skips) when the real services are not up.
const { readTestenv } = require('./testenv-file.cjs');

module.exports = async function integrationGlobalSetup() {
  const env = readTestenv();
  for (const key of ['KUBECONFIG', 'KAFKA_BROKERS', 'DATABASE_URL']) {
    if (!env[key]) throw new Error(`.testenv/env has no ${key}: run \`npm run testenv:up\` again.`);
  }
};

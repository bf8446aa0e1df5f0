// Runs the testenv's kubectl for tests: as admin by default, or with another kubeconfig.
const { execFile } = require('node:child_process');
const path = require('node:path');
const { readEnv } = require('./index.cjs');

/**
 * kubectl(args, { input, kubeconfig, timeoutMs }) -> Promise<{ code, stdout, stderr }>.
 * Never rejects on a non-zero exit: tests assert on code and stderr.
 */
function kubectl(args, options = {}) {
  const env = readEnv();
  if (!env.TESTENV_BIN) throw new Error('testenv is not up: run `npm run testenv:up`');
  const kubeconfig = options.kubeconfig ?? env.KUBECONFIG;
  return new Promise((resolve) => {
    const child = execFile(
      path.join(env.TESTENV_BIN, 'kubectl'),
      ['--kubeconfig', kubeconfig, ...args],
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
    if (options.input !== undefined) child.stdin.end(options.input);
  });
}

/** Like kubectl but rejects with stderr on a non-zero exit; returns stdout. */
async function kubectlOk(args, options) {
  const result = await kubectl(args, options);
  if (result.code !== 0)
    throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

module.exports = { kubectl, kubectlOk };

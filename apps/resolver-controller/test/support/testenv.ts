import * as path from 'node:path';
import { REPO } from './paths';

/** kubectl's result (never rejected on a non-zero exit). */
export interface KubectlResult {
  code: number | string;
  stdout: string;
  stderr: string;
}

/** Options of a kubectl call. */
export interface KubectlOptions {
  input?: string;
  kubeconfig?: string;
  timeoutMs?: number;
}

interface TestenvLib {
  readEnv(): Record<string, string>;
  saKubeconfig(
    namespace: string,
    serviceAccount: string,
    outFile: string,
  ): Promise<{ kubeconfig: string; username: string }>;
  restartApiServer(options?: { force?: boolean }): Promise<number>;
}

interface KubectlLib {
  kubectl(args: string[], options?: KubectlOptions): Promise<KubectlResult>;
  kubectlOk(args: string[], options?: KubectlOptions): Promise<string>;
}

// The testenv helpers are plain CommonJS outside any Nx project, loaded the way
// tools/testenv/README.md shows (a require, not an import of another project).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const testenv = require(path.join(REPO, 'tools', 'testenv', 'lib', 'index.cjs')) as TestenvLib;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kubectlLib = require(path.join(REPO, 'tools', 'testenv', 'lib', 'kubectl.cjs')) as KubectlLib;

export const { readEnv, saKubeconfig, restartApiServer } = testenv;
export const { kubectl, kubectlOk } = kubectlLib;

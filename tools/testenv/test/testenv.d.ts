// Types of the CommonJS test helpers in ../lib used by these tests.
declare module '*/lib/kubectl.cjs' {
  export interface KubectlResult {
    code: number | string;
    stdout: string;
    stderr: string;
  }
  export interface KubectlOptions {
    input?: string;
    kubeconfig?: string;
    timeoutMs?: number;
  }
  export function kubectl(args: string[], options?: KubectlOptions): Promise<KubectlResult>;
  export function kubectlOk(args: string[], options?: KubectlOptions): Promise<string>;
}
declare module '*/lib/index.cjs' {
  export function readEnv(): Record<string, string>;
  export function saKubeconfig(
    namespace: string,
    serviceAccount: string,
    outFile: string,
  ): Promise<{ kubeconfig: string }>;
  export function restartApiServer(options?: { force?: boolean }): Promise<void>;
}
declare module '*/lib/kafka.cjs' {
  export function clusterId(): string;
}

// Types of the testenv's CommonJS helpers used by this suite.
declare module '*/lib/kubectl.cjs' {
  export function kubectlOk(
    args: string[],
    options?: { input?: string; timeoutMs?: number },
  ): Promise<string>;
  export function kubectl(
    args: string[],
    options?: { input?: string; timeoutMs?: number },
  ): Promise<{ code: number | string; stdout: string; stderr: string }>;
}
declare module '*/lib/index.cjs' {
  export function readEnv(): Record<string, string>;
}

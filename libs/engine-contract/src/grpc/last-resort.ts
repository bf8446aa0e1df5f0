/**
 * The engines' last-resort guard: a promise rejection nobody handled is logged and the process
 * goes on serving its other callers (Node's default ends the process). A handler's own error
 * never gets here: the gRPC exception filter answers that caller INTERNAL. Call once in main.
 */
export function logUnhandledRejections(log: (line: string, stack?: string) => void): void {
  process.on('unhandledRejection', (reason) =>
    log(`unhandled promise rejection: ${String(reason)}`, (reason as Error | undefined)?.stack),
  );
}

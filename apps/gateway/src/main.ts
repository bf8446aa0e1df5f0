import { loadGatewayConfig } from './config/gateway-config';
import { bootstrap } from './bootstrap';

/** The gateway process: config from the environment, graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  // Every handler catches its own errors; should one slip through, log it instead of dying
  // with every player's connection.
  process.on('unhandledRejection', (reason) => console.error('unhandled rejection (gateway keeps running):', reason));
  const config = loadGatewayConfig();
  const gateway = await bootstrap({ config });
  const stop = (signal: string) => {
    console.error(`${signal}: shutting down`);
    const timer = setTimeout(() => {
      console.error(`shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // Config errors and bind failures end here: print the reason, exit non-zero.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

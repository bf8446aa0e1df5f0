import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import type { GatewayConfig } from '../config/gateway-config';
import { countMessageBytes } from '../limits/transport-bytes';

/** socket.io server options from config: message size, connection state recovery, CORS. */
export function socketIoOptions(config: GatewayConfig): Partial<ServerOptions> {
  const { recoveryWindowMs } = config.sessions;
  return {
    serveClient: false,
    maxHttpBufferSize: config.limits.maxMessageBytes,
    ...(recoveryWindowMs > 0
      ? {
          connectionStateRecovery: {
            maxDisconnectionDuration: recoveryWindowMs,
            skipMiddlewares: false,
          },
        }
      : {}),
    ...(config.http.corsOrigins.length ? { cors: { origin: config.http.corsOrigins } } : {}),
  };
}

/** Nest's socket.io adapter with the gateway's server options, counting each message's bytes as received. */
export class GatewayIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly options: Partial<ServerOptions>,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      ...this.options,
    } as ServerOptions) as Server;
    countMessageBytes(server);
    return server;
  }
}

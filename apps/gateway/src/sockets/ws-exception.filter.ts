import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from 'pino';
import { MetricsService } from '../metrics/metrics.service';
import { ClientEvent } from '../protocol/events';
import type { GatewaySocket } from '../protocol/socket-state';
import { LOGGER } from '../storage/storage.tokens';
import { replyError } from './reply';
import { callerOf } from './socket-guards';
import { toErrorPayload } from '../errors/to-error-payload';

/**
 * The one socket.io exception filter: whatever a message handler throws becomes a coded
 * `{ code, message }` answer (ack or `exception` event). Nothing is rethrown, so no handler
 * error can close a connection or the process.
 */
@Catch()
export class WsExceptionFilter implements ExceptionFilter {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: MetricsService,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    const socket = ws.getClient<GatewaySocket>();
    const event = String(ws.getPattern());
    const data: unknown = ws.getData();
    // WsProxy passes (client, data, ack, pattern); ack is undefined when the client sent none.
    const ack: unknown = host.getArgByIndex(2);
    const { payload, expected } = toErrorPayload(exception);
    if (!expected)
      this.logger.error(
        { err: exception, event, ...callerOf(socket) },
        'unexpected error in a socket.io handler',
      );
    if (event === ClientEvent.Command) this.metrics.commands.inc({ result: payload.code });
    else this.metrics.requests.inc({ event, result: payload.code });
    try {
      replyError(socket, event, data, ack, payload);
    } catch (error) {
      this.logger.error(
        { err: error, event, ...callerOf(socket) },
        'could not answer a refused event',
      );
    }
  }
}

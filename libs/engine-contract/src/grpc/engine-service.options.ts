import type { ChannelOptions } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/grpc-js/build/src/make-client';
import { EngineServiceService } from '../generated/game/engine/v1/engine';
import { ContractLimits } from '../domain/limits';

/** The proto package of the engine contract. */
export const ENGINE_PACKAGE = 'game.engine.v1';
/** The fully qualified service name (also the health-check service name). */
export const ENGINE_SERVICE_NAME = 'game.engine.v1.EngineService';

/**
 * The grpc-js package definition of EngineService built from the ts-proto codecs, so servers
 * (Nest included, through `packageDefinition`) and clients share one set of generated codecs
 * and no .proto file is loaded at run time. Each method also gets its proto name
 * (`originalName`, e.g. `ApplyCommand`) so handlers are registered under the RPC names.
 */
export function enginePackageDefinition(): PackageDefinition {
  const service = Object.fromEntries(
    Object.entries(EngineServiceService).map(([name, method]) => [
      name,
      { ...method, originalName: method.path.split('/').pop() },
    ]),
  );
  return { [ENGINE_SERVICE_NAME]: service } as unknown as PackageDefinition;
}

/** Options shared by both ends of an EngineService connection. */
export interface EngineTransportOptions {
  /** Largest message accepted (`grpc.max_receive_message_length`), bytes. */
  maxMessageBytes?: number;
}

/**
 * How long a client waits, at most, before it tries an unreachable engine again. grpc-js's default
 * backoff grows to 120 s, so an engine restarted at the same address (a StatefulSet pod, a killed
 * process) would stay unreached for up to that long while every call fails at once.
 */
export const ENGINE_MAX_RECONNECT_BACKOFF_MS = 1_000;

/**
 * Channel options for EngineService clients: message size limits matching the server,
 * keepalive pings so a dead peer is noticed between ticks, and a reconnect backoff capped at
 * `ENGINE_MAX_RECONNECT_BACKOFF_MS`.
 */
export function engineChannelOptions(options: EngineTransportOptions = {}): ChannelOptions {
  const max = options.maxMessageBytes ?? ContractLimits.maxMessageBytes;
  return {
    'grpc.max_receive_message_length': max,
    'grpc.max_send_message_length': max,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': ENGINE_MAX_RECONNECT_BACKOFF_MS,
  };
}

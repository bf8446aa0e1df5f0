import { Client, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  EngineServiceService,
  type ApplyCommandRequest,
  type ApplyCommandResponse,
  type CloseWorldRequest,
  type CloseWorldResponse,
  type InitRequest,
  type InitResponse,
  type RestoreRequest,
  type RestoreResponse,
  type SnapshotRequest,
  type SnapshotResponse,
  type TickRequest,
  type TickResponse,
} from '../generated/game/engine/v1/engine';
import { engineCallMetadata, type EngineAccess } from '../access/engine-token';
import { fromServiceError } from '../errors/grpc-status';
import { requireIdempotencyKey } from '../converters/validate';
import { engineChannelCredentials, type EngineCredentials } from '../grpc/credentials';
import { engineChannelOptions } from '../grpc/engine-service.options';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry';

/** The unary methods (StreamCommands has its own client, CommandStreamClient). */
type Method = Exclude<keyof typeof EngineServiceService, 'streamCommands'>;

/** An ApplyCommandRequest whose idempotency key may be left out (none). */
export type ApplyCommandCall = Omit<ApplyCommandRequest, 'idempotencyKey'> & {
  /** At most 128 characters of [A-Za-z0-9._:-]; see docs/engine-contract.md, "Idempotency keys". */
  idempotencyKey?: string;
};

/** An InitRequest whose bindings may be left out (a world that binds nothing). */
export type InitCall = Omit<InitRequest, 'bindings'> & { bindings?: InitRequest['bindings'] };

/**
 * Which calls are retried on UNAVAILABLE / DEADLINE_EXCEEDED. Only idempotent ones:
 * Init (same world id and config returns the existing world), Tick (advances *to* a target
 * tick, so a repeat is a no-op), Snapshot (a read) and CloseWorld (closing a closed world is a no-op).
 * ApplyCommand would apply a command twice and Restore could rewind a world that ticked in
 * between: never retried.
 */
export const RETRIED_METHODS: Readonly<Record<Method, boolean>> = {
  init: true,
  applyCommand: false,
  tick: true,
  snapshot: true,
  restore: false,
  closeWorld: true,
};

/** Options of an EngineClient. */
export interface EngineClientOptions {
  credentials?: EngineCredentials;
  /** The engine token (and this caller's name) sent with every call; engines refuse calls without. */
  access?: EngineAccess;
  /** Largest message sent or received, bytes (default ContractLimits.maxMessageBytes). */
  maxMessageBytes?: number;
  /** Deadline of each attempt, ms (default 5,000). */
  deadlineMs?: number;
  /** Retry policy for the idempotent calls (RETRIED_METHODS). */
  retry?: RetryPolicy;
  /** Waits between retries; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** Per-call overrides. */
export interface EngineCallOptions {
  deadlineMs?: number;
  metadata?: Metadata;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A typed, promise-based EngineService client with a deadline on every call and retries for
 * idempotent calls only. Failed calls reject with the EngineError class of their status.
 */
export class EngineClient {
  private readonly client: Client;
  private readonly deadlineMs: number;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly access?: EngineAccess;

  constructor(
    readonly address: string,
    options: EngineClientOptions = {},
  ) {
    this.client = new Client(
      address,
      engineChannelCredentials(options.credentials),
      engineChannelOptions({ maxMessageBytes: options.maxMessageBytes }),
    );
    this.deadlineMs = options.deadlineMs ?? 5_000;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.sleep = options.sleep ?? defaultSleep;
    this.access = options.access;
  }

  /** Creates (or finds, when identical) a world. Retried. */
  init(request: InitCall, options?: EngineCallOptions): Promise<InitResponse> {
    return this.call('init', { ...request, bindings: request.bindings ?? [] }, options);
  }

  /**
   * Queues a command for the next tick boundary. Never retried here; with an `idempotencyKey`
   * the caller may send it again after UNAVAILABLE or DEADLINE_EXCEEDED, and the engine applies
   * it once (a malformed key rejects INVALID_ARGUMENT before anything is sent).
   */
  applyCommand(
    request: ApplyCommandCall,
    options?: EngineCallOptions,
  ): Promise<ApplyCommandResponse> {
    let idempotencyKey: string;
    try {
      idempotencyKey = requireIdempotencyKey(request.idempotencyKey);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.call('applyCommand', { ...request, idempotencyKey }, options);
  }

  /** Advances a manually ticked world to a target tick. Retried. */
  tick(request: TickRequest, options?: EngineCallOptions): Promise<TickResponse> {
    return this.call('tick', request, options);
  }

  /** Reads a world's snapshot. Retried. */
  snapshot(request: SnapshotRequest, options?: EngineCallOptions): Promise<SnapshotResponse> {
    return this.call('snapshot', request, options);
  }

  /** Replaces a world from snapshot state. Never retried. */
  restore(request: RestoreRequest, options?: EngineCallOptions): Promise<RestoreResponse> {
    return this.call('restore', request, options);
  }

  /** Removes a world from the engine (idempotent: closed = false when it did not run). Retried. */
  closeWorld(request: CloseWorldRequest, options?: EngineCallOptions): Promise<CloseWorldResponse> {
    return this.call('closeWorld', request, options);
  }

  /** Closes the channel. */
  close(): void {
    this.client.close();
  }

  private call<M extends Method>(
    method: M,
    request: Parameters<(typeof EngineServiceService)[M]['requestSerialize']>[0],
    options: EngineCallOptions = {},
  ): Promise<ReturnType<(typeof EngineServiceService)[M]['responseDeserialize']>> {
    const attempt = () => this.once(method, request, options);
    return RETRIED_METHODS[method] ? withRetry(attempt, this.retry, this.sleep) : attempt();
  }

  private once<M extends Method>(
    method: M,
    request: Parameters<(typeof EngineServiceService)[M]['requestSerialize']>[0],
    options: EngineCallOptions,
  ): Promise<ReturnType<(typeof EngineServiceService)[M]['responseDeserialize']>> {
    type Res = ReturnType<(typeof EngineServiceService)[M]['responseDeserialize']>;
    const definition = EngineServiceService[method] as unknown as {
      path: string;
      requestSerialize: (value: unknown) => Buffer;
      responseDeserialize: (value: Buffer) => Res;
    };
    const deadline = Date.now() + (options.deadlineMs ?? this.deadlineMs);
    return new Promise<Res>((resolve, reject) => {
      this.client.makeUnaryRequest(
        definition.path,
        definition.requestSerialize,
        definition.responseDeserialize,
        request,
        this.access
          ? engineCallMetadata(this.access, options.metadata)
          : (options.metadata ?? new Metadata()),
        { deadline },
        (error: ServiceError | null, response?: Res) =>
          error ? reject(fromServiceError(error, definition.path)) : resolve(response as Res),
      );
    });
  }
}

import { Client, Metadata, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import {
  EngineServiceService,
  type ApplyCommandResponse,
  type Command,
  type SenderLease,
  type StreamCommandsRequest,
  type StreamCommandsResponse,
  type StreamedCommand,
} from '../generated/game/engine/v1/engine';
import { engineCallMetadata, type EngineAccess } from '../access/engine-token';
import { ContractLimits } from '../domain/limits';
import { fromCommandError } from '../errors/command-error';
import {
  DeadlineExceededError,
  EngineBusyError,
  EngineUnavailableError,
  type EngineError,
} from '../errors/engine-error';
import { fromServiceError } from '../errors/grpc-status';
import { requireIdempotencyKey } from '../converters/validate';
import { engineChannelCredentials, type EngineCredentials } from '../grpc/credentials';
import { engineChannelOptions } from '../grpc/engine-service.options';

const METHOD = EngineServiceService.streamCommands.path;
type Stream = ClientDuplexStream<StreamCommandsRequest, StreamCommandsResponse>;

/** Options of a CommandStreamClient. */
export interface CommandStreamOptions {
  credentials?: EngineCredentials;
  /** The engine token and this caller's name, sent when the stream opens. */
  access?: EngineAccess;
  /** Largest message sent or received, bytes (default ContractLimits.maxMessageBytes). */
  maxMessageBytes?: number;
  /** How long a command may wait for its answer, ms (default 5,000): then DEADLINE_EXCEEDED. */
  deadlineMs?: number;
  /** Most unanswered commands (default ContractLimits.maxUnansweredCommands); more are refused. */
  maxUnanswered?: number;
}

interface Waiter {
  worldId: string;
  resolve: (response: ApplyCommandResponse) => void;
  reject: (error: EngineError) => void;
  timer: ReturnType<typeof setTimeout>;
  /** The stream the command was written to; undefined while it waits in the outbox. */
  stream?: Stream;
}

/**
 * Sends commands over one long-lived StreamCommands stream to an engine: the commands submitted
 * in one turn of the event loop travel as one message, and each resolves with its own result.
 * The stream opens at the first command and again after it broke; a command written to a stream
 * that broke is rejected UNAVAILABLE (whether the engine applied it is unknown, as for a unary
 * call that timed out), and never resent.
 */
export class CommandStreamClient {
  private readonly client: Client;
  private readonly waiting = new Map<number, Waiter>();
  private outbox: StreamedCommand[] = [];
  private flushScheduled = false;
  private stream?: Stream;
  private nextId = 1;
  private closed = false;
  private readonly deadlineMs: number;
  private readonly maxUnanswered: number;

  constructor(
    readonly address: string,
    private readonly options: CommandStreamOptions = {},
  ) {
    this.client = new Client(
      address,
      engineChannelCredentials(options.credentials),
      engineChannelOptions({ maxMessageBytes: options.maxMessageBytes }),
    );
    this.deadlineMs = options.deadlineMs ?? 5_000;
    this.maxUnanswered = options.maxUnanswered ?? ContractLimits.maxUnansweredCommands;
  }

  /** Commands sent or waiting to be sent, not answered yet. */
  get unanswered(): number {
    return this.waiting.size;
  }

  /**
   * Sends a command with the others of this turn; resolves with its result, rejects with its
   * refusal. With an `idempotencyKey` (at most 128 characters of [A-Za-z0-9._:-]; a malformed one
   * rejects INVALID_ARGUMENT before anything is sent) the command may be submitted again after an
   * UNAVAILABLE or DEADLINE_EXCEEDED: the engine applies a key once per world and answers a
   * repeat with the first result (docs/engine-contract.md, "Idempotency keys"). `sender`: the
   * sender's lease on the world, when it owns worlds by lease ("Fencing the caller").
   */
  submit(
    worldId: string,
    command: Command,
    traceparent = '',
    idempotencyKey = '',
    sender?: SenderLease,
  ): Promise<ApplyCommandResponse> {
    if (this.closed) return Promise.reject(new EngineUnavailableError(`${METHOD}: client closed`));
    try {
      requireIdempotencyKey(idempotencyKey);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.waiting.size >= this.maxUnanswered) {
      return Promise.reject(
        new EngineBusyError(`${this.waiting.size} commands to ${this.address} are unanswered`),
      );
    }
    const id = this.nextId++;
    return new Promise<ApplyCommandResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new DeadlineExceededError(`${METHOD}: no answer in ${this.deadlineMs} ms`));
      }, this.deadlineMs);
      this.waiting.set(id, { worldId, resolve, reject, timer });
      this.outbox.push({ id, worldId, command, traceparent, idempotencyKey, sender });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Ends the stream and the channel; unanswered commands are rejected UNAVAILABLE. */
  close(): void {
    this.closed = true;
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    this.rejectAll(() => true, new EngineUnavailableError(`${METHOD}: client closed`));
    this.client.close();
  }

  private flush(): void {
    this.flushScheduled = false;
    const commands = this.outbox.filter((c) => this.waiting.has(c.id));
    this.outbox = [];
    if (commands.length === 0 || this.closed) return;
    const stream = this.open();
    for (const command of commands) {
      const waiter = this.waiting.get(command.id);
      if (waiter) waiter.stream = stream;
    }
    for (let i = 0; i < commands.length; i += ContractLimits.maxCommandsPerBatch) {
      stream.write({ commands: commands.slice(i, i + ContractLimits.maxCommandsPerBatch) });
    }
  }

  private open(): Stream {
    if (this.stream) return this.stream;
    const metadata = this.options.access ? engineCallMetadata(this.options.access) : new Metadata();
    const definition = EngineServiceService.streamCommands;
    const stream = this.client.makeBidiStreamRequest(
      METHOD,
      definition.requestSerialize,
      definition.responseDeserialize,
      metadata,
      {},
    );
    stream.on('data', (response: StreamCommandsResponse) => this.answer(response));
    stream.on('error', (error: ServiceError) =>
      this.broke(stream, fromServiceError(error, METHOD)),
    );
    stream.on('end', () =>
      this.broke(stream, new EngineUnavailableError(`${METHOD}: the engine ended the stream`)),
    );
    this.stream = stream;
    return stream;
  }

  private answer({ results }: StreamCommandsResponse): void {
    for (const result of results) {
      const waiter = this.waiting.get(result.id);
      if (!waiter) continue; // past its deadline
      this.waiting.delete(result.id);
      clearTimeout(waiter.timer);
      if (result.error) waiter.reject(fromCommandError(result.error, METHOD));
      else
        waiter.resolve({
          worldId: waiter.worldId,
          applyTick: result.applyTick,
          entityId: result.entityId,
        });
    }
  }

  /** The stream failed or ended: its unanswered commands get the reason; the next command reopens. */
  private broke(stream: Stream, error: EngineError): void {
    if (this.stream === stream) this.stream = undefined;
    this.rejectAll((waiter) => waiter.stream === stream, error);
  }

  private rejectAll(which: (waiter: Waiter) => boolean, error: EngineError): void {
    for (const [id, waiter] of this.waiting) {
      if (!which(waiter)) continue;
      this.waiting.delete(id);
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }
}

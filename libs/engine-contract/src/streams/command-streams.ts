import { status as GrpcStatus, type ServerDuplexStream } from '@grpc/grpc-js';
import type {
  CommandResult,
  SenderLease,
  StreamCommandsRequest,
  StreamCommandsResponse,
  StreamedCommand,
} from '../generated/game/engine/v1/engine';
import type { EngineCommand } from '../domain/commands';
import { ContractLimits } from '../domain/limits';
import { commandFromWire } from '../converters/command.converter';
import { requireId, requireIdempotencyKey } from '../converters/validate';
import { toCommandError } from '../errors/command-error';
import { CapacityError } from '../errors/engine-error';
import { senderLeaseFromWire } from '../fencing/sender-fence';

/** A stream as the engine's server sees it. */
export type CommandStreamCall = ServerDuplexStream<StreamCommandsRequest, StreamCommandsResponse>;

/**
 * What an engine does with one command: ApplyCommand's logic, without the transport.
 * `idempotencyKey` is the command's validated key, '' when it has none; `sender` the sender's
 * validated lease on the world, when it has one.
 */
export type ApplyOne = (
  worldId: string,
  command: EngineCommand,
  traceparent: string,
  idempotencyKey: string,
  sender?: SenderLease,
) => Promise<{ applyTick: number; entityId: string }>;

/** How long `close` waits for the answers of commands already taken, ms. */
export const STREAM_CLOSE_GRACE_MS = 2_000;

/**
 * The StreamCommands streams an engine serves. Each command goes to `apply` in the order it
 * arrived; its answer joins the others ready in the same turn of the event loop. What a stream
 * holds is bounded: commands per message (ContractLimits.maxCommandsPerBatch) and unanswered
 * commands (maxUnansweredCommands); the rest are answered RESOURCE_EXHAUSTED, never queued. A
 * command that fails validation is answered with its error; nothing a caller sends ends the
 * stream or the process.
 */
export class CommandStreams {
  private readonly open = new Set<StreamSession>();

  constructor(
    private readonly onInternal: (error: unknown) => void = () => undefined,
    private readonly maxUnanswered: number = ContractLimits.maxUnansweredCommands,
  ) {}

  /** Serves one stream until either side ends it; resolves then. */
  serve(call: CommandStreamCall, apply: ApplyOne): Promise<void> {
    const session = new StreamSession(call, apply, this.maxUnanswered, this.onInternal);
    this.open.add(session);
    return session.done.finally(() => this.open.delete(session));
  }

  /** Streams open now. */
  get size(): number {
    return this.open.size;
  }

  /**
   * Ends every stream (shutdown): no more commands are taken, those taken are answered (for at
   * most `graceMs`), then the stream ends UNAVAILABLE so senders reconnect elsewhere.
   */
  async close(graceMs = STREAM_CLOSE_GRACE_MS): Promise<void> {
    await Promise.all([...this.open].map((session) => session.close(graceMs)));
  }
}

class StreamSession {
  readonly done: Promise<void>;
  private finish!: () => void;
  private unanswered = 0;
  private ready: CommandResult[] = [];
  private flushScheduled = false;
  private ended = false;
  private draining = false;
  private drained?: () => void;

  constructor(
    private readonly call: CommandStreamCall,
    private readonly apply: ApplyOne,
    private readonly maxUnanswered: number,
    private readonly onInternal: (error: unknown) => void,
  ) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    call.on('data', (request: StreamCommandsRequest) => this.take(request));
    // The sender half-closed: answer what was taken, then end.
    call.on('end', () => void this.close(Number.POSITIVE_INFINITY, GrpcStatus.OK));
    call.on('error', () => this.end());
    call.on('cancelled', () => this.end());
  }

  private take({ commands }: StreamCommandsRequest): void {
    if (this.draining || this.ended) return;
    commands.forEach((command, index) => {
      if (index >= ContractLimits.maxCommandsPerBatch) {
        return this.refuse(
          command,
          new CapacityError(
            `a StreamCommands message carries at most ${ContractLimits.maxCommandsPerBatch} commands; this one ${commands.length}`,
          ),
        );
      }
      if (this.unanswered >= this.maxUnanswered) {
        return this.refuse(
          command,
          new CapacityError(`the stream has ${this.unanswered} unanswered commands`),
        );
      }
      this.unanswered++;
      this.run(command).then(
        ({ applyTick, entityId }) => this.answered({ id: command.id, applyTick, entityId }),
        (error: unknown) => this.answered(this.refusal(command, error)),
      );
    });
  }

  private run(command: StreamedCommand): ReturnType<ApplyOne> {
    try {
      const worldId = requireId(command.worldId, 'world_id');
      const key = requireIdempotencyKey(command.idempotencyKey);
      const sender = senderLeaseFromWire(command.sender);
      const engineCommand = commandFromWire(command.command);
      return this.apply(worldId, engineCommand, command.traceparent, key, sender);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private refuse(command: StreamedCommand, error: unknown): void {
    this.push(this.refusal(command, error));
  }

  private refusal(command: StreamedCommand, error: unknown): CommandResult {
    const answer = toCommandError(error);
    if (answer.code === GrpcStatus.INTERNAL) this.onInternal(error);
    return { id: command.id, applyTick: 0, entityId: '', error: answer };
  }

  private answered(result: CommandResult): void {
    this.unanswered--;
    this.push(result);
    if (this.unanswered === 0) this.drained?.();
  }

  private push(result: CommandResult): void {
    if (this.ended) return;
    this.ready.push(result);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.ended || this.ready.length === 0) return;
      this.call.write({ results: this.ready });
      this.ready = [];
    });
  }

  async close(graceMs: number, status: GrpcStatus = GrpcStatus.UNAVAILABLE): Promise<void> {
    if (this.draining || this.ended) return this.done;
    this.draining = true;
    if (this.unanswered > 0) {
      await new Promise<void>((resolve) => {
        const timer = Number.isFinite(graceMs) ? setTimeout(resolve, graceMs) : undefined;
        this.drained = () => {
          if (timer) clearTimeout(timer);
          resolve();
        };
      });
    }
    // Answers pushed in this turn go out before the status.
    await new Promise((resolve) => setImmediate(resolve));
    if (!this.ended) {
      if (this.ready.length > 0) this.call.write({ results: this.ready });
      this.ready = [];
      if (status === GrpcStatus.OK) this.call.end();
      else this.call.emit('error', { code: status, details: 'the engine is shutting down' });
      this.end();
    }
    return this.done;
  }

  private end(): void {
    this.ended = true;
    this.finish();
  }
}

import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** One hop of a command, as the embedded page shows it. */
export interface CommandHop {
  hop: string;
  /** From the start of the command's gateway span, ms. */
  startMs: number;
  durationMs: number;
  /** The tick the physics engine applied it at (its `physics apply` hop). */
  tick?: number;
  failed?: boolean;
}

/** One of a player's recent commands and the time each hop took. */
export interface RecentCommand {
  traceId: string;
  type: string;
  /** Wall clock of the command's arrival at the gateway, ms since the epoch. */
  at: number;
  totalMs: number;
  hops: CommandHop[];
}

/** The hops of a command's trace, by span name (a topic's publish by its topic's suffix). */
function hopOf(name: string): string | undefined {
  if (name === 'gateway command') return 'gateway';
  if (name === 'interaction validate') return 'interaction engine';
  if (name === 'physics apply') return 'physics';
  if (name === 'checkpoint write') return 'checkpoint';
  if (name.startsWith('publish ') && name.endsWith('.commands')) return 'command log';
  if (name.startsWith('publish ') && name.endsWith('.physics')) return 'delta publish';
  if (name.startsWith('fan-out ') && name.endsWith('.physics')) return 'fan-out';
  return undefined;
}

const toMs = ([seconds, nanos]: [number, number]) => seconds * 1000 + nanos / 1e6;

/**
 * Keeps the command hops of the last traces in memory (a span processor), so the embedded page
 * shows a newcomer where a command's time goes without any trace backend. Bounded: `maxTraces`
 * traces (the oldest go first), a few spans each, hop spans only.
 */
export class RecentCommands implements SpanProcessor {
  private readonly traces = new Map<string, ReadableSpan[]>();

  constructor(
    private readonly maxTraces = 256,
    private readonly maxSpansPerTrace = 16,
  ) {}

  onStart(_span: Span, _parent: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (hopOf(span.name) === undefined) return;
    const traceId = span.spanContext().traceId;
    let spans = this.traces.get(traceId);
    if (!spans) {
      spans = [];
      this.traces.set(traceId, spans);
      if (this.traces.size > this.maxTraces) this.traces.delete(this.traces.keys().next().value!);
    }
    if (spans.length < this.maxSpansPerTrace) spans.push(span);
  }

  /** The player's last `limit` commands, newest first. */
  commandsOf(playerId: string, limit = 5): RecentCommand[] {
    const commands: RecentCommand[] = [];
    for (const [traceId, spans] of [...this.traces].reverse()) {
      const root = spans.find(
        (span) =>
          span.name === 'gateway command' && span.attributes['anvil.player.id'] === playerId,
      );
      if (!root) continue;
      const start = toMs(root.startTime);
      const hops = spans
        .map((span) => ({
          hop: hopOf(span.name)!,
          startMs: round(toMs(span.startTime) - start),
          durationMs: round(toMs(span.duration)),
          ...(span.name === 'physics apply' && typeof span.attributes['anvil.tick'] === 'number'
            ? { tick: span.attributes['anvil.tick'] }
            : {}),
          ...(span.status.code === 2 ? { failed: true } : {}),
        }))
        .sort((a, b) => a.startMs - b.startMs);
      commands.push({
        traceId,
        type: String(root.attributes['anvil.command.type'] ?? ''),
        at: Math.round(start),
        totalMs: round(toMs(root.duration)),
        hops,
      });
      if (commands.length === limit) break;
    }
    return commands;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.traces.clear();
    return Promise.resolve();
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

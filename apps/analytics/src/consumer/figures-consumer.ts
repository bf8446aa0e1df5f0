import { worldTopic, type BusMessage, type EventBus, type Subscription } from '@anvil/bus';
import { InvalidInputError, type AnalyticsRepository } from '@anvil/storage';
import type { Logger } from 'pino';
import {
  inputOf,
  skippedInput,
  type AnalyticsInput,
  type SkippedRecord,
} from '../fold/analytics-input';
import { deltaOf } from '../fold/figure-delta';
import type { AnalyticsMetrics } from '../metrics/analytics-metrics';
import { subscribeWithRetry } from '@anvil/runtime';

/** The topics the figures come from (physics deltas carry nothing they need). */
export const CONSUMED_TOPICS = ['interaction', 'commands'] as const;

/** Attempts at recording a record the bus skipped (nothing redelivers those). */
const SKIPPED_ATTEMPTS = 5;

export interface FiguresConsumerOptions {
  bus: EventBus;
  analytics: Pick<AnalyticsRepository, 'apply'>;
  metrics: AnalyticsMetrics;
  logger: Logger;
  /** Consumer group prefix: `<group>.interaction`, `<group>.commands`. */
  group: string;
  topicPrefix?: string;
}

/**
 * Follows the world topics in a consumer group from the beginning and applies each event to its
 * world's figures, one transaction per event. The handler resolves only once the event is stored
 * (the bus then commits its offset) and rejects when storage fails (the bus delivers it again),
 * so nothing is lost; the event id recorded with the change makes a redelivery count nothing.
 */
export class FiguresConsumer {
  private readonly subscriptions: Subscription[] = [];
  private readonly pending = new Set<Promise<void>>();
  private started = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: FiguresConsumerOptions) {}

  /** Subscribes to every consumed topic; resolves once all have joined their groups. */
  async start(): Promise<void> {
    const { bus, group, topicPrefix, logger } = this.options;
    const subscribed = await Promise.allSettled(
      CONSUMED_TOPICS.map((kind) =>
        subscribeWithRetry(
          bus,
          { topic: worldTopic(kind, topicPrefix), group: `${group}.${kind}`, fromBeginning: true },
          (message) => this.handle(message),
          logger,
        ),
      ),
    );
    for (const result of subscribed)
      if (result.status === 'fulfilled') this.subscriptions.push(result.value);
    const failed = subscribed.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    this.started = true;
  }

  /** True while every subscription runs. */
  get ready(): boolean {
    return this.started && !this.closing;
  }

  /** The bus handler: classify, then apply (throwing means "deliver it again"). */
  handle(message: BusMessage): Promise<void> {
    return this.apply(inputOf(message));
  }

  /** A record the bus skipped: counted as malformed, retried a few times if storage fails. */
  skipped(record: SkippedRecord): void {
    this.options.metrics.skippedRecords.inc();
    const input = skippedInput(record);
    const task = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.apply(input);
        } catch (error) {
          if (attempt >= SKIPPED_ATTEMPTS) {
            this.options.logger.error(
              { err: error, ...record },
              'could not count a skipped record',
            );
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
        }
      }
    })();
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  /** Stops the subscriptions (in-flight events finish) and waits for skipped records' writes. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled(this.subscriptions.map((s) => s.close()));
      await Promise.allSettled([...this.pending]);
    })();
    return this.closing;
  }

  private async apply(input: AnalyticsInput): Promise<void> {
    const { analytics, metrics, logger } = this.options;
    const stop = metrics.applySeconds.startTimer();
    const playerId = 'playerId' in input ? input.playerId : undefined;
    try {
      const applied = await analytics.apply(
        { worldId: input.worldId, eventId: input.eventId, playerId },
        (state) => deltaOf(input, state),
      );
      metrics.events.inc({ kind: input.kind, result: applied ? 'applied' : 'duplicate' });
      if (!applied) return;
      if (input.kind === 'malformed') {
        logger.warn(
          { worldId: input.worldId, eventId: input.eventId, reason: input.reason },
          'skipped a malformed event',
        );
      } else {
        metrics.lagSeconds.set(Math.max(0, Date.now() - input.at) / 1000);
      }
    } catch (error) {
      // Storage refusing the input would refuse every redelivery too: skip it, loudly.
      if (error instanceof InvalidInputError) {
        metrics.events.inc({ kind: input.kind, result: 'refused' });
        logger.error(
          { err: error, worldId: input.worldId, eventId: input.eventId },
          'storage refused an event; skipped',
        );
        return;
      }
      metrics.applyErrors.inc();
      throw error;
    } finally {
      stop();
    }
  }
}

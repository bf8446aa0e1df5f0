import {
  EVENT_TYPES,
  deterministicEventId,
  worldTopic,
  type BodyDelta,
  type CloudEvent,
  type EventBus,
  type PhysicsDeltaData,
} from '@anvil/bus';
import { mergeSteps, type MergedSteps, type StepChanges } from './merge-steps';

/**
 * Publishes a world may have handed to the bus and not yet settled. Past it (the bus is slow or
 * down) the next ticks are merged into one delta that waits, so memory stays bounded while
 * consumers still converge to the same state.
 */
export const MAX_PUBLISH_BACKLOG = 256;

/** CloudEvents `source` of the physics engine. */
export const PHYSICS_SOURCE = '/anvil/physics-engine';

/** Counters of a publisher. */
export interface PublisherStats {
  published: number;
  failed: number;
  /** Publishes handed to the bus and not yet settled. */
  inFlight: number;
  /** Ticks folded into a later delta because the backlog was full. */
  merged: number;
}

/** Builds the one delta event of a world's tick (bodies sorted by id, as the event type says). */
export function deltaEvent(
  worldId: string,
  result: StepChanges | MergedSteps,
  now: Date,
  epoch = 0,
): CloudEvent<PhysicsDeltaData> {
  // Already BodyDelta-shaped and sorted by id (WorldSimulation.step guarantees both).
  const bodies: BodyDelta[] = result.changed;
  const data: PhysicsDeltaData = { worldId, tick: result.tick, bodies };
  if ('fromTick' in result && result.fromTick < result.tick) data.fromTick = result.fromTick;
  if (result.removed.length) data.removed = [...result.removed].sort();
  if (epoch > 0) data.epoch = epoch;
  return {
    specversion: '1.0',
    // Deterministic: a restored engine replaying a tick produces the same id (consumers dedupe).
    // The epoch is part of it: two owners' deltas of one tick are different events.
    id: deterministicEventId(
      EVENT_TYPES.physicsDelta,
      worldId,
      result.tick,
      epoch > 0 ? `e${epoch}` : undefined,
    ),
    source: PHYSICS_SOURCE,
    type: EVENT_TYPES.physicsDelta,
    subject: worldId,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    tick: result.tick,
    data,
  };
}

/**
 * Publishes one delta CloudEvent per tick of one world, keyed by the world id on the physics
 * topic. One publish is in flight at a time, so deltas reach the bus in tick order; the ticks
 * that step meanwhile go out together in the next one, so a slow round trip to the bus delays
 * the next deltas by one round trip, not by one per tick behind it. A failure is counted and
 * reported through `onError`, and never stops the simulation. With MAX_PUBLISH_BACKLOG deltas
 * unsettled, later ticks are merged into one held delta (`fromTick`..`tick`), sent once the
 * backlog shrinks.
 */
export class DeltaPublisher {
  private readonly counters: PublisherStats = { published: 0, failed: 0, inFlight: 0, merged: 0 };
  /** Deltas waiting for the publish in flight. */
  private queued: Array<CloudEvent<PhysicsDeltaData>> = [];
  private sending: Promise<void> | undefined;
  /** Ticks waiting, merged, for the backlog to shrink. */
  private held: StepChanges | MergedSteps | undefined;
  private readonly topic: string;

  constructor(
    private readonly bus: EventBus,
    private readonly worldId: string,
    private readonly onError: (error: unknown, tick: number) => void,
    topicPrefix?: string,
    /** The owner's lease epoch: readers drop deltas of an epoch older than one they saw. */
    private readonly epoch = 0,
  ) {
    this.topic = worldTopic('physics', topicPrefix);
  }

  /**
   * Queues the tick's delta event for publishing (merged with later ticks while the backlog is
   * full); `traceparent` names the trace of a command applied in the tick.
   */
  publish(result: StepChanges, traceparent?: string): void {
    if (this.held || this.counters.inFlight >= MAX_PUBLISH_BACKLOG) {
      if (this.held) this.counters.merged++;
      this.held = this.held ? mergeSteps(this.held, result) : result;
      return;
    }
    this.enqueue(result, traceparent);
  }

  /** `traceparent`: the trace the delta's publish joins (a merged delta joins none). */
  private enqueue(result: StepChanges | MergedSteps, traceparent?: string): void {
    const event = deltaEvent(this.worldId, result, new Date(), this.epoch);
    if (traceparent) event.traceparent = traceparent;
    this.queued.push(event);
    this.counters.inFlight++;
    this.sending ??= this.send();
  }

  private async send(): Promise<void> {
    while (this.queued.length > 0) {
      const batch = this.queued;
      this.queued = [];
      try {
        await this.bus.publish(this.topic, this.worldId, batch);
        this.counters.published += batch.length;
      } catch (error) {
        this.counters.failed += batch.length;
        this.onError(error, batch[0].data.tick);
      }
      this.counters.inFlight -= batch.length;
      const held = this.held;
      if (held && this.counters.inFlight < MAX_PUBLISH_BACKLOG) {
        this.held = undefined;
        this.queued.push(deltaEvent(this.worldId, held, new Date(), this.epoch));
        this.counters.inFlight++;
      }
    }
    // Cleared in the same synchronous step that saw the queue empty, so no delta is stranded.
    this.sending = undefined;
  }

  /** Resolves when every queued publish (and the held one) has settled. */
  async flush(): Promise<void> {
    while (this.sending) await this.sending;
  }

  /** A copy of the counters. */
  stats(): PublisherStats {
    return { ...this.counters };
  }
}

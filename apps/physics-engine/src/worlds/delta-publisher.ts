import {
  EVENT_TYPES,
  deterministicEventId,
  worldTopic,
  type BodyDelta,
  type CloudEvent,
  type EventBus,
  type PhysicsDeltaData,
} from '@anvil/bus';
import type { StepResult } from '../simulation/world-simulation';

/** CloudEvents `source` of the physics engine. */
export const PHYSICS_SOURCE = '/anvil/physics-engine';

/** Counters of a publisher. */
export interface PublisherStats {
  published: number;
  failed: number;
  /** Publishes handed to the bus and not yet settled. */
  inFlight: number;
}

/** Builds the one delta event of a world's tick (bodies sorted by id, as the event type says). */
export function deltaEvent(
  worldId: string,
  result: StepResult,
  now: Date,
): CloudEvent<PhysicsDeltaData> {
  // Already BodyDelta-shaped and sorted by id (WorldSimulation.step guarantees both).
  const bodies: BodyDelta[] = result.changed;
  const data: PhysicsDeltaData = { worldId, tick: result.tick, bodies };
  if (result.removed.length) data.removed = [...result.removed].sort();
  return {
    specversion: '1.0',
    // Deterministic: a restored engine replaying a tick produces the same id (consumers dedupe).
    id: deterministicEventId(EVENT_TYPES.physicsDelta, worldId, result.tick),
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
 * topic. Publishes are chained so they reach the bus in tick order; a failure is counted and
 * reported through `onError`, and never stops the simulation.
 */
export class DeltaPublisher {
  private chain: Promise<void> = Promise.resolve();
  private readonly counters: PublisherStats = { published: 0, failed: 0, inFlight: 0 };
  private readonly topic: string;

  constructor(
    private readonly bus: EventBus,
    private readonly worldId: string,
    private readonly onError: (error: unknown, tick: number) => void,
    topicPrefix?: string,
  ) {
    this.topic = worldTopic('physics', topicPrefix);
  }

  /** Queues the tick's delta event for publishing. */
  publish(result: StepResult): void {
    const event = deltaEvent(this.worldId, result, new Date());
    this.counters.inFlight++;
    this.chain = this.chain
      .then(() => this.bus.publish(this.topic, this.worldId, [event]))
      .then(
        () => void this.counters.published++,
        (error: unknown) => {
          this.counters.failed++;
          this.onError(error, result.tick);
        },
      )
      .finally(() => void this.counters.inFlight--);
  }

  /** Resolves when every queued publish has settled. */
  flush(): Promise<void> {
    return this.chain;
  }

  /** A copy of the counters. */
  stats(): PublisherStats {
    return { ...this.counters };
  }
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the gauges read at scrape time. */
export interface PhysicsGaugeSource {
  worlds(): number;
  bodies(): number;
  /** Seconds since the least recently saved world's state was durable (undefined: no world checkpoints). */
  oldestCheckpointAgeSeconds(): number | undefined;
}

/** How a world came to run here: a new world, restored from checkpoint and log, or handed over. */
export type Acquisition = 'new' | 'restored' | 'handed_over';

/**
 * The physics engine's Prometheus metrics, in a registry of its own (served on METRICS_PORT):
 * world health at replica level. No label names a player or a world, so their number stays
 * bounded whatever runs here.
 */
export class PhysicsMetrics {
  readonly registry = new Registry();
  /** Commands by result: `ok` or the refusal's gRPC code name. */
  readonly commands = new Counter({
    name: 'anvil_physics_commands_total',
    help: 'Commands applied (ok) or refused (by code).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  /** How late each tick-loop wake-up ran against its schedule. */
  readonly tickLag = new Histogram({
    name: 'anvil_physics_tick_lag_seconds',
    help: 'How late a world tick started against its fixed schedule.',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly steps = new Counter({
    name: 'anvil_physics_steps_total',
    help: 'World steps run; each publishes one delta.',
    registers: [this.registry],
  });
  readonly droppedSteps = new Counter({
    name: 'anvil_physics_dropped_steps_total',
    help: 'Steps skipped because a world fell too far behind its schedule.',
    registers: [this.registry],
  });
  readonly deltaFailures = new Counter({
    name: 'anvil_physics_delta_publish_failures_total',
    help: 'Delta publishes the bus refused.',
    registers: [this.registry],
  });
  /** Worlds started here, by how: a failover restores, a migration hands over. */
  readonly acquired = new Counter({
    name: 'anvil_physics_worlds_acquired_total',
    help: 'Worlds this replica started, by how (new, restored = after a failover or restart, handed_over = a migration).',
    labelNames: ['how'] as const,
    registers: [this.registry],
  });
  readonly handovers = new Counter({
    name: 'anvil_physics_handovers_total',
    help: 'Worlds moved away (drain, rebalance), by result (handed_over, or without_handover: restored from checkpoint and log).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly lost = new Counter({
    name: 'anvil_physics_worlds_lost_total',
    help: 'Worlds stopped here because their lease ended or was taken.',
    registers: [this.registry],
  });

  constructor(source: PhysicsGaugeSource) {
    new Gauge({
      name: 'anvil_physics_worlds',
      help: 'Worlds running on this replica.',
      registers: [this.registry],
      collect() {
        this.set(source.worlds());
      },
    });
    new Gauge({
      name: 'anvil_physics_bodies',
      help: 'Bodies in the worlds of this replica (queued spawns included).',
      registers: [this.registry],
      collect() {
        this.set(source.bodies());
      },
    });
    new Gauge({
      name: 'anvil_physics_checkpoint_age_seconds',
      help: 'Seconds since the least recently checkpointed world here was last saved (or started here); 0 without worlds.',
      registers: [this.registry],
      collect() {
        this.set(source.oldestCheckpointAgeSeconds() ?? 0);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'anvil_physics_' });
  }
}

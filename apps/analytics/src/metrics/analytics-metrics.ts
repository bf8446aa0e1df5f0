import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The module's Prometheus metrics, in a registry of its own (apps share a process in embedded
 * mode and tests), all prefixed `anvil_analytics_`. Served on `/metrics`.
 */
export class AnalyticsMetrics {
  readonly registry = new Registry();

  /** Events handled, by kind (joined, left, commands, other, malformed) and result. */
  readonly events = new Counter({
    name: 'anvil_analytics_events_total',
    help: 'Bus records handled, by kind and result (applied, or duplicate: already applied)',
    labelNames: ['kind', 'result'],
    registers: [this.registry],
  });
  /** Records the bus skipped before any handler (not JSON, not an event), counted as malformed. */
  readonly skippedRecords = new Counter({
    name: 'anvil_analytics_skipped_records_total',
    help: 'Records the bus could not decode, counted as malformed',
    registers: [this.registry],
  });
  /** Applying an event failed (storage): the bus delivers it again. */
  readonly applyErrors = new Counter({
    name: 'anvil_analytics_apply_errors_total',
    help: 'Failed applications of an event (redelivered by the bus)',
    registers: [this.registry],
  });
  /** How long one event's transaction took. */
  readonly applySeconds = new Histogram({
    name: 'anvil_analytics_apply_seconds',
    help: 'Seconds to apply one event to the figures (one transaction)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  /** Processing time minus event time at application: how far behind the figures are. */
  readonly lagSeconds = new Gauge({
    name: 'anvil_analytics_lag_seconds',
    help: 'Seconds between the last applied event time and its application',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'anvil_analytics_' });
  }
}

import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways may share a
 * process in embedded mode and tests). Served on `/metrics`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** Open socket.io connections by namespace. */
  readonly connections = new Gauge({
    name: 'anvil_gateway_connections',
    help: 'Open socket.io connections',
    labelNames: ['namespace'],
    registers: [this.registry],
  });
  /** Handshakes refused, by code. */
  readonly handshakesRefused = new Counter({
    name: 'anvil_gateway_handshakes_refused_total',
    help: 'Refused handshakes by error code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  /** Commands by result: `ok` or the error code. */
  readonly commands = new Counter({
    name: 'anvil_gateway_commands_total',
    help: 'Player commands by result (ok or error code)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  /** Other inbound events by event and result. */
  readonly requests = new Counter({
    name: 'anvil_gateway_requests_total',
    help: 'Inbound events other than cmd, by event and result',
    labelNames: ['event', 'result'],
    registers: [this.registry],
  });
  /** Time from an event's production (CloudEvent time) to its emission to sockets. */
  readonly fanoutLag = new Histogram({
    name: 'anvil_gateway_fanout_lag_seconds',
    help: 'Seconds from event production (CloudEvent time) to emission to sockets',
    labelNames: ['type'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  /** Deltas held back for slow sockets and later sent coalesced. */
  readonly coalesced = new Counter({
    name: 'anvil_gateway_deltas_coalesced_total',
    help: 'Deltas merged into a slow socket coalesced delta',
    registers: [this.registry],
  });
  /** Snapshots pushed to resynchronise sockets whose coalesced buffer overflowed. */
  readonly resyncs = new Counter({
    name: 'anvil_gateway_resyncs_total',
    help: 'Snapshots pushed to resynchronise sockets',
    registers: [this.registry],
  });
  /** Engine call durations by method and result. */
  readonly engineCallSeconds = new Histogram({
    name: 'anvil_gateway_engine_call_seconds',
    help: 'Interaction engine call durations',
    labelNames: ['method', 'result'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  /** Audit and session writes that failed (logged; the client was already answered). */
  readonly storageErrors = new Counter({
    name: 'anvil_gateway_storage_errors_total',
    help: 'Failed audit or session writes',
    labelNames: ['operation'],
    registers: [this.registry],
  });
  /** Bus messages the gateway could not use (logged and skipped). */
  readonly badEvents = new Counter({
    name: 'anvil_gateway_bad_events_total',
    help: 'Bus events skipped as unusable',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'anvil_gateway_' });
  }
}

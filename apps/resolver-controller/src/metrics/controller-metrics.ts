import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HandlerOutcome } from '../queue/work-queue';
import type { WriteKind } from '../reconcile/cluster-writer';

/**
 * The controller's Prometheus metrics, on a registry of its own (served at /metrics):
 * reconciles by result, reconcile duration, queue depth, watch restarts, leadership, writes.
 */
export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly reconciles = new Counter({
    name: 'anvil_resolver_reconciles_total',
    help: 'World reconciles by result (success, requeue, error, terminal).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'anvil_resolver_reconcile_duration_seconds',
    help: 'Time one world reconcile took, by result.',
    labelNames: ['result'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly depth = new Gauge({
    name: 'anvil_resolver_queue_depth',
    help: 'World keys waiting in the work queue.',
    registers: [this.registry],
  });
  private readonly watchRestarts = new Counter({
    name: 'anvil_resolver_watch_restarts_total',
    help: 'Watches that ended and were restarted, by resource and reason (closed, gone = 410 relist, error = relist after backoff).',
    labelNames: ['resource', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly leader = new Gauge({
    name: 'anvil_resolver_leader',
    help: '1 while this replica holds the leader lease.',
    registers: [this.registry],
  });
  private readonly writes = new Counter({
    name: 'anvil_resolver_writes_total',
    help: 'Successful writes to the API server, by kind (binding_apply, binding_delete, status, event).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly synced = new Gauge({
    name: 'anvil_resolver_informer_synced',
    help: '1 once the informer of a resource has listed it.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  constructor({ defaultMetrics = true }: { defaultMetrics?: boolean } = {}) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.leader.set(0);
  }

  /** A reconcile ended. */
  reconciled(outcome: HandlerOutcome, durationMs: number): void {
    this.reconciles.inc({ result: outcome });
    this.duration.observe({ result: outcome }, durationMs / 1000);
  }

  queueDepth(depth: number): void {
    this.depth.set(depth);
  }

  watchRestarted(resource: string, reason: string): void {
    this.watchRestarts.inc({ resource, reason });
  }

  leading(isLeader: boolean): void {
    this.leader.set(isLeader ? 1 : 0);
  }

  wrote(kind: WriteKind): void {
    this.writes.inc({ kind });
  }

  informerSynced(resource: string): void {
    this.synced.set({ resource }, 1);
  }

  /** The exposition text for /metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

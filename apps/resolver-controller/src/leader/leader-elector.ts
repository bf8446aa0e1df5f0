import { describeError } from '../errors/errors';
import { sleep, wallClock, unrefTimers, type Clock, type Timers } from '@anvil/runtime';
import type { Log } from '../reconcile/cluster-writer';
import { silentLog } from '../reconcile/cluster-writer';
import { LeaseConflictError, type LeaseClient } from './lease-client';
import {
  decideLease,
  nextRecord,
  observeLease,
  type LeaseObservation,
  type LeaseRecord,
} from './lease-decision';

/** Settings of a LeaderElector (client-go's LeaderElectionConfig). */
export interface LeaderElectorOptions {
  namespace: string;
  name: string;
  identity: string;
  /** How long a lease nobody renews stays valid for the other candidates. */
  leaseDurationSeconds: number;
  /** A leader that could not renew for this long stops leading. */
  renewDeadlineMs: number;
  /** Time between attempts (candidates add up to 20 % jitter). */
  retryPeriodMs: number;
}

/** Leadership callbacks. */
export interface LeaderCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
  /** The holder we observe changed (ours included). */
  onNewLeader?(identity: string): void;
}

/**
 * Leader election with a coordination.k8s.io/v1 Lease, as client-go's leaderelection package
 * does it (client-node 1.4 has none): every retry period the candidate reads the Lease and
 * creates, renews or takes it over with optimistic concurrency (resourceVersion), waiting
 * while another holder keeps renewing. A leader that cannot renew within the renew deadline,
 * or sees another holder, stops leading. `stop` releases a held lease so a standby takes over
 * at once instead of after the lease duration.
 */
export class LeaderElector {
  private stopped = false;
  private leading = false;
  private lastRenew = 0;
  private observed?: LeaseObservation;
  private lastHolder?: string;
  private running?: Promise<void>;
  private readonly abort = new AbortController();

  constructor(
    private readonly client: LeaseClient,
    private readonly options: LeaderElectorOptions,
    private readonly callbacks: LeaderCallbacks,
    private readonly log: Log = silentLog,
    private readonly clock: Clock = wallClock,
    private readonly timers: Timers = unrefTimers,
    private readonly random: () => number = Math.random,
  ) {}

  /** True while this replica holds the lease. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts campaigning in the background. */
  start(): void {
    this.running ??= this.loop();
  }

  /** Stops campaigning; releases the lease when held (graceful shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.running;
    if (this.leading) {
      await this.release();
      this.setLeading(false);
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const held = await this.tryAcquireOrRenew();
      if (this.stopped) break;
      const now = this.clock.now();
      if (held) {
        this.lastRenew = now;
        this.setLeading(true);
      } else if (
        this.leading &&
        (this.observedHolder() !== this.options.identity ||
          now - this.lastRenew >= this.options.renewDeadlineMs)
      ) {
        this.log.warn({ holder: this.observedHolder() }, 'lost the leader lease');
        this.setLeading(false);
      }
      const jitter = this.leading ? 0 : this.random() * 0.2;
      await sleep(this.timers, this.options.retryPeriodMs * (1 + jitter), this.abort.signal);
    }
  }

  /** One round: read, decide, write. True when we hold the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationSeconds } = this.options;
    try {
      const current = await this.client.get(namespace, name);
      const now = this.clock.now();
      this.observed = current ? observeLease(this.observed, current, now) : undefined;
      this.noteHolder(current?.holderIdentity);
      const decision = decideLease(this.observed, identity, now);
      if (decision.action === 'wait') return false;
      const record = nextRecord(
        current,
        decision.action,
        identity,
        leaseDurationSeconds,
        microTime(now),
      );
      const written = current
        ? await this.client.update(namespace, name, current.resourceVersion, record)
        : await this.client.create(namespace, name, record);
      this.observed = observeLease(this.observed, written, this.clock.now());
      this.noteHolder(written.holderIdentity);
      return true;
    } catch (error) {
      if (!(error instanceof LeaseConflictError))
        this.log.warn({ err: describeError(error) }, 'leader election round failed');
      return false;
    }
  }

  private async release(): Promise<void> {
    const { namespace, name, identity, leaseDurationSeconds } = this.options;
    try {
      const current = await this.client.get(namespace, name);
      if (!current || current.holderIdentity !== identity) return;
      await this.client.update(
        namespace,
        name,
        current.resourceVersion,
        nextRecord(current, 'release', identity, leaseDurationSeconds, microTime(this.clock.now())),
      );
      this.log.info({}, 'released the leader lease');
    } catch (error) {
      this.log.warn(
        { err: describeError(error) },
        'could not release the leader lease; the others take over when it expires',
      );
    }
  }

  private observedHolder(): string | undefined {
    return this.observed?.record.holderIdentity;
  }

  private noteHolder(holder: string | undefined): void {
    if (!holder || holder === this.lastHolder) return;
    this.lastHolder = holder;
    this.callbacks.onNewLeader?.(holder);
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    if (leading) this.callbacks.onStartedLeading();
    else this.callbacks.onStoppedLeading();
  }
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

export type { LeaseRecord };

import type { LeaseRepository } from '@anvil/storage';
import { systemClock, unrefTimers, type Clock, type Timers } from '@anvil/runtime';
import { validUntil } from './lease-validity';

/** What ownership needs. */
export interface OwnershipOptions {
  leases: LeaseRepository;
  /** This replica's name (its pod name), unique among the module's replicas. */
  holder: string;
  /** This replica's own address (host:port), where the world's calls must go; read at acquire. */
  address: () => string;
  ttlMs: number;
  /** How often all held leases are renewed, in one statement. */
  renewEveryMs: number;
  /** Whose leases these are (PHYSICS_ROLE, a game module's `gameRole`). */
  role: string;
  /** The state format this replica writes, recorded on each lease it takes (default 1). */
  stateFormat?: number;
  clock?: Clock;
  timers?: Timers;
  onRenewError?: (error: unknown) => void;
}

/** A lease this replica holds. */
export interface HeldLease {
  readonly worldId: string;
  readonly epoch: number;
  /** Monotonic ms until which this replica may act on it. */
  validUntil: number;
  /**
   * Where the previous holder stopped the world when it handed it over (`release` with a
   * handover, at epoch - 1): nothing was written for it since. Undefined otherwise.
   */
  readonly handedOver?: Record<string, unknown>;
}

/**
 * The worlds this replica owns (docs/decisions.md, "World ownership"): acquires a world's lease
 * before the world is loaded, renews all of them together every `renewEveryMs`, and reports a
 * world lost as soon as a renewal does not return it, or its validity passed unrenewed (with no
 * renewal on its way, or one that has not answered for a whole lease). The command log asks
 * `refusal` before acknowledging, so nothing is acknowledged on a lease that may have ended.
 */
export class WorldOwnership {
  private readonly held = new Map<string, HeldLease>();
  readonly role: string;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private timer: unknown;
  private renewing: Promise<void> | undefined;
  private nextRenewal: Promise<void> | undefined;
  private stopped = false;
  private lost: (worldId: string, reason: string) => void = () => undefined;

  constructor(private readonly options: OwnershipOptions) {
    this.role = options.role;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? unrefTimers;
  }

  /** This replica's own address, where its worlds' calls must go. */
  get address(): string {
    return this.options.address();
  }

  get holder(): string {
    return this.options.holder;
  }

  /** Who is told when a held world is lost (taken by another replica, or expired unrenewed). */
  onLost(listener: (worldId: string, reason: string) => void): void {
    this.lost = listener;
  }

  /**
   * Takes the world's lease with a new epoch, recording `spec` (what a replica taking the world
   * over needs); LeaseHeldError when another replica holds it.
   */
  async acquire(worldId: string, spec?: Record<string, unknown>): Promise<HeldLease> {
    const sentAt = this.clock.now();
    const lease = await this.options.leases.acquire({
      worldId,
      role: this.role,
      holder: this.options.holder,
      address: this.options.address(),
      ttlMs: this.options.ttlMs,
      spec,
      stateFormat: this.options.stateFormat,
    });
    const handedOver = lease.handover?.epoch === lease.epoch - 1 ? lease.handover.state : undefined;
    const held: HeldLease = {
      worldId,
      epoch: lease.epoch,
      validUntil: validUntil(sentAt, this.options.ttlMs),
      ...(handedOver ? { handedOver } : {}),
    };
    this.held.set(worldId, held);
    this.schedule();
    // An acquisition that waited (a replica busy with loads and callers' Inits queues its
    // statements) leaves too little validity for the next periodic renewal to come in time:
    // renew now, together with the others that just came, before the world is loaded on it.
    if (held.validUntil - this.clock.now() <= 2 * this.options.renewEveryMs) {
      await this.renewAgain();
      if (this.held.get(worldId) !== held)
        throw new Error(`its lease of epoch ${held.epoch} was lost before it could be renewed`);
    }
    return held;
  }

  /**
   * Whether the world's lease at `epoch` is still this replica's as far as it knows: not lost
   * (taken, released, or dropped once its validity passed unrenewed), though a renewal may be on
   * its way. `refusal` says whether it may act on it now.
   */
  holds(worldId: string, epoch: number): boolean {
    return this.held.get(worldId)?.epoch === epoch;
  }

  /** Why this replica may not act for the world at `epoch` now (undefined: it may). */
  refusal(worldId: string, epoch: number): string | undefined {
    const held = this.held.get(worldId);
    if (!held || held.epoch !== epoch)
      return `this replica no longer owns the world (epoch ${epoch})`;
    if (this.clock.now() >= held.validUntil)
      return `the lease of epoch ${epoch} was not renewed in time`;
    return undefined;
  }

  /**
   * Stops renewing a world's lease and gives it up, so another replica may take it at once:
   * `closed` (the world was closed on purpose) keeps others from taking it over. `handover`
   * records where this replica stopped the world, for the next holder (`handedOver`); `to`
   * names the replica that should take it (told at once). False when the lease was no longer
   * this replica's.
   */
  async release(
    worldId: string,
    closed = true,
    handover?: Record<string, unknown>,
    to?: string,
  ): Promise<boolean> {
    const held = this.held.get(worldId);
    if (!held) return false;
    this.held.delete(worldId);
    return this.options.leases.release(
      worldId,
      this.role,
      this.options.holder,
      held.epoch,
      closed,
      handover,
      to,
    );
  }

  /** Stops renewing a world's lease without touching the store (it is lost already). */
  forget(worldId: string): void {
    this.held.delete(worldId);
  }

  /** Worlds held now, with their epochs. */
  list(): HeldLease[] {
    return [...this.held.values()];
  }

  /** Stops the renewal loop (leases are left to expire or be released). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.renewing;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      // A renewal that hangs (the database is cut off) must not stop the expiry checks.
      if (this.renewing) this.expireUnrenewed(this.options.ttlMs);
      else this.renewing = this.renew().finally(() => (this.renewing = undefined));
      if (this.held.size > 0) this.schedule();
    }, this.options.renewEveryMs);
  }

  /**
   * A renewal that starts once the one on its way (which may not carry a lease acquired since)
   * has answered; callers meanwhile share it.
   */
  private renewAgain(): Promise<void> {
    this.nextRenewal ??= (async () => {
      while (this.renewing) await this.renewing;
      this.nextRenewal = undefined;
      this.renewing = this.renew().finally(() => (this.renewing = undefined));
      await this.renewing;
    })();
    return this.nextRenewal;
  }

  /** Renews every held lease in one statement; reports the ones not renewed or expired. */
  async renew(): Promise<void> {
    const sentAt = this.clock.now();
    const asked = this.list();
    let renewed: Map<string, Date> | undefined;
    try {
      if (asked.length > 0) {
        renewed = await this.options.leases.renew(
          this.role,
          this.options.holder,
          asked.map(({ worldId, epoch }) => ({ worldId, epoch })),
          this.options.ttlMs,
        );
      }
    } catch (error) {
      this.options.onRenewError?.(error);
    }
    for (const lease of asked) {
      if (this.held.get(lease.worldId) !== lease) continue; // released or re-acquired meanwhile
      if (renewed?.has(lease.worldId)) {
        lease.validUntil = validUntil(sentAt, this.options.ttlMs);
      } else if (renewed) {
        this.lose(lease, `its lease of epoch ${lease.epoch} was taken or released`);
      }
    }
    if (!renewed) this.expireUnrenewed();
  }

  /**
   * Reports lost the leases whose validity passed `graceMs` ago. With a renewal on its way, a
   * lease past its validity is not lost yet (`refusal` refuses to act on it meanwhile): if that
   * renewal returns it at the same epoch, nobody held it in between (an acquisition raises the
   * epoch), and the world goes on from where it stood; a renewal that has not answered a lease
   * later is taken for a cut-off store. A replica so busy that its renewals come late (a burst of
   * takeovers on two cores) would otherwise drop worlds still its own, and they would move again.
   */
  private expireUnrenewed(graceMs = 0): void {
    const now = this.clock.now();
    for (const lease of this.list()) {
      if (now >= lease.validUntil + graceMs)
        this.lose(lease, `its lease of epoch ${lease.epoch} expired: it could not be renewed`);
    }
  }

  private lose(lease: HeldLease, reason: string): void {
    this.held.delete(lease.worldId);
    this.lost(lease.worldId, reason);
  }
}

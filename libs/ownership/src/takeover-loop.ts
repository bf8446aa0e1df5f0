import type { HandedTo, LeaseRepository, ReplicaRepository, WorldLease } from '@anvil/storage';
import { Semaphore, systemClock, unrefTimers, type Clock, type Timers } from '@anvil/runtime';
import { placeNewWorld } from './placement';
import { hasRoom, planTakeover, reads, takers, type OrphanWorld } from './takeover-plan';

/** How many orphans one round looks at, and how many it brings back at once. */
export const TAKEOVER_BATCH = 100;
export const TAKEOVER_CONCURRENCY = 16;
/** How long after a lease's end its planned round runs: the round's read must see it ended. */
export const EXPIRY_ROUND_DELAY_MS = 5;
/**
 * How long an orphan the plan gave another replica may stay orphaned before this replica tries
 * to take it too. Replicas that read the orphans a few ms apart (some taken in between) or saw
 * different load reports can each plan a world for the other; without this, nobody takes it
 * until a later round. An acquisition takes a few ms, so one still orphaned after this is
 * stranded; if its taker was only slow, the two race on the lease and exactly one wins.
 */
export const STRANDED_AFTER_MS = 100;

/** A replica's load and capacity now. */
export interface Capacity {
  worlds: number;
  bodies: number;
  maxWorlds: number;
  maxBodies: number;
}

/** What the loop needs. */
export interface TakeoverOptions {
  leases: LeaseRepository;
  replicas: ReplicaRepository;
  replicaId: string;
  address: () => string;
  /** Period of the rounds; the heartbeat lives for `ttlMs`. */
  everyMs: number;
  ttlMs: number;
  capacity: () => Capacity;
  /** Brings a world back here from its spec (acquires its lease, restores it). */
  takeOver: (worldId: string, spec: Record<string, unknown>) => Promise<void>;
  /** A world was brought back, `sinceExpiryMs` after its lease ended. */
  onTaken?: (worldId: string, sinceExpiryMs: number) => void;
  onError?: (error: unknown, worldId?: string) => void;
  /** Whose orphans and reports these are (the same role as the replica's WorldOwnership). */
  role: string;
  /**
   * Rebalance: hands one of this replica's worlds over to `to` (told at once; the others'
   * rounds take it if it does not). Called in a round without orphans when a live replica with
   * room has at least two worlds fewer (`placeNewWorld`'s margin), at most once per `ttlMs` so
   * the reports catch up first. None: no rebalance.
   */
  shed?: (to: string) => Promise<void>;
  /**
   * The newest state format this replica reads (and writes; default 1): reported with its load,
   * so the plan gives it only worlds it can restore, and it sheds only to replicas that read it.
   */
  stateFormat?: number;
  timers?: Timers;
  /** Monotonic time, for how long an orphan has been seen (default the process's). */
  clock?: Clock;
}

/**
 * Failover without a coordinator: every round, each replica reports its load (heartbeat), reads
 * the orphaned worlds (leases expired and not released on purpose: their owner died or was cut
 * off), computes the same plan as every other replica (`planTakeover`) and brings back the
 * worlds the plan gives it. Two replicas that disagree (their reports differ by a round) race
 * on the lease, and exactly one wins; an orphan each left to the other is taken by both (a race
 * again) once it has stayed orphaned for STRANDED_AFTER_MS. A round only starts its takeovers:
 * the next one runs while they load, and skips the worlds still on their way here. A world
 * handed to this replica by name (a drain, a rebalance) is taken as soon as it is told, without
 * waiting for a round; every plan gives it to that replica too.
 */
export class TakeoverLoop {
  private readonly role: string;
  private readonly timers: Timers;
  private readonly clock: Clock;
  private timer: unknown;
  /** The round planned to take stranded orphans. */
  private strandedTimer: unknown;
  /** Takeovers started here and not ended yet, by world. */
  private readonly inFlight = new Map<string, Promise<string | undefined>>();
  /** At most TAKEOVER_CONCURRENCY takeovers run at once; the others wait in turn. */
  private readonly turns = new Semaphore(TAKEOVER_CONCURRENCY);
  /** When each orphan of the last round was first seen in a round (clock ms). */
  private firstSeen = new Map<string, number>();
  /** The extra round planned for when the next live lease of the role ends unrenewed. */
  private expiryTimer: unknown;
  private running: Promise<void> | undefined;
  /** A round was asked for while one ran: run another after it. */
  private again = false;
  /** Stops listening for handed-over worlds (once listening). */
  private unlisten: Promise<(() => Promise<void>) | undefined> | undefined;
  private beating: Promise<void> | undefined;
  private stopped = false;
  /** Monotonic ms before which this replica does not shed another world. */
  private shedAfter = 0;

  constructor(private readonly options: TakeoverOptions) {
    this.role = options.role;
    this.timers = options.timers ?? unrefTimers;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Reports this replica and runs a round every `everyMs`, and one as soon as a lease of its
   * role is released as an orphan (a handover elsewhere), when the store can tell; a world
   * handed to this replica by name is taken at once.
   */
  start(): void {
    this.schedule(0);
    this.unlisten = this.options.leases
      .onOrphaned(this.role, (handed) =>
        handed ? void this.takeHanded(handed) : this.runRound(true),
      )
      .catch((error: unknown) => {
        this.options.onError?.(error);
        return undefined;
      });
  }

  /** Stops the rounds and removes this replica's report, so placements skip it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.timers.clearTimeout(this.expiryTimer);
    this.timers.clearTimeout(this.strandedTimer);
    await (await this.unlisten)?.().catch(() => undefined);
    await this.running;
    await Promise.all(this.inFlight.values());
    // A heartbeat still on its way would report this replica again after the removal.
    await this.beating;
    await this.options.replicas.remove(this.role, this.options.replicaId).catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.timers.setTimeout(() => {
      // The heartbeat goes out every period, even while a long round is still running.
      this.beating = this.heartbeat().catch((error: unknown) => this.options.onError?.(error));
      this.runRound(false);
      this.schedule(this.options.everyMs);
    }, ms);
  }

  /**
   * Starts a round now. While one runs, a periodic round is skipped (the next comes soon) and
   * a planned one runs right after it (what it waits for may end after that round's read).
   */
  private runRound(afterRunning: boolean): void {
    if (this.stopped) return;
    if (this.running) {
      this.again ||= afterRunning;
      return;
    }
    this.running = this.scan()
      .then(() => this.planExpiryRound())
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.runRound(false);
        }
      });
  }

  /**
   * A dead holder's leases end up to a period before the next round would see it: when the next
   * live lease of the role ends sooner than that, a round runs just after it ends.
   */
  private async planExpiryRound(): Promise<void> {
    const ms = await this.options.leases.nextExpiryMs(this.role);
    if (ms === null || ms >= this.options.everyMs || this.stopped) return;
    this.timers.clearTimeout(this.expiryTimer);
    this.expiryTimer = this.timers.setTimeout(
      () => this.runRound(true),
      Math.ceil(ms) + EXPIRY_ROUND_DELAY_MS,
    );
  }

  /** Reports this replica's load; kept apart from the rounds, which may take a while. */
  private heartbeat(): Promise<void> {
    return this.options.replicas.heartbeat({
      role: this.role,
      replicaId: this.options.replicaId,
      address: this.options.address(),
      ttlMs: this.options.ttlMs,
      stateFormat: this.options.stateFormat ?? 1,
      ...this.options.capacity(),
    });
  }

  /** One round: bring back this replica's share of the orphans; resolves when they are back. */
  async round(): Promise<string[]> {
    const taken = await Promise.all(await this.scan());
    return taken.filter((worldId): worldId is string => worldId !== undefined);
  }

  /**
   * Reads the orphans and starts bringing back this replica's share of them, and those another
   * replica should have taken STRANDED_AFTER_MS ago (a lease ago, for one handed to it by
   * name); returns those takeovers (each resolves to the world when it is back here).
   */
  private async scan(): Promise<Array<Promise<string | undefined>>> {
    const { leases, replicas, replicaId } = this.options;
    const orphans = await leases.orphans(this.role, TAKEOVER_BATCH);
    const now = this.clock.now();
    const seen = new Map(orphans.map((o) => [o.worldId, this.firstSeen.get(o.worldId) ?? now]));
    this.firstSeen = seen;
    if (orphans.length === 0) {
      if (this.inFlight.size === 0) await this.rebalance();
      return [];
    }
    const plan = planTakeover(
      orphans.map(toOrphanWorld),
      takers(
        await replicas.live(this.role),
        orphans.map((o) => o.holder),
      ),
    );
    const format = { stateFormat: this.options.stateFormat ?? 1 };
    // A world handed to a live replica by name waits longer for it: that replica was told, and
    // another one racing it would only split the load unevenly. Should it die, its report ends
    // within a lease and the plan names another.
    const named = (o: WorldLease) => toOrphanWorld(o).to === plan.get(o.worldId);
    const stranded = (o: WorldLease) =>
      plan.has(o.worldId) &&
      now - (seen.get(o.worldId) ?? now) >= (named(o) ? this.options.ttlMs : STRANDED_AFTER_MS) &&
      reads(format, o.stateFormat) &&
      hasRoom(this.options.capacity());
    const mine = orphans.filter(
      (o) => !this.inFlight.has(o.worldId) && (plan.get(o.worldId) === replicaId || stranded(o)),
    );
    // Once per orphan: later, the periodic rounds take what is still stranded.
    const newlyLeft = orphans.some(
      (o) => plan.has(o.worldId) && !mine.includes(o) && !named(o) && seen.get(o.worldId) === now,
    );
    if (newlyLeft) this.planStrandedRound();
    return mine.map((orphan) => this.bringBack(orphan));
  }

  /**
   * Takes a world its holder handed to this replica by name, once its lease shows it is still
   * an orphan this replica can restore and has room for (otherwise the rounds plan it).
   */
  private async takeHanded({ worldId, to }: HandedTo): Promise<void> {
    if (to !== this.options.replicaId || this.stopped || this.inFlight.has(worldId)) return;
    try {
      const lease = await this.options.leases.get(worldId, this.role);
      if (!lease?.expired || lease.released || this.stopped || this.inFlight.has(worldId)) return;
      const format = { stateFormat: this.options.stateFormat ?? 1 };
      if (!reads(format, lease.stateFormat) || !hasRoom(this.options.capacity())) return;
      await this.bringBack(lease);
    } catch (error) {
      this.options.onError?.(error, worldId);
    }
  }

  /** A round once an orphan left to another replica now would count as stranded. */
  private planStrandedRound(): void {
    if (this.stopped) return;
    this.timers.clearTimeout(this.strandedTimer);
    this.strandedTimer = this.timers.setTimeout(() => this.runRound(true), STRANDED_AFTER_MS);
  }

  /** Brings one orphan back here, at most TAKEOVER_CONCURRENCY at once (the rest wait in turn). */
  private bringBack(orphan: WorldLease): Promise<string | undefined> {
    const taking = this.turns.run(async () => {
      if (this.stopped) return undefined;
      try {
        await this.options.takeOver(orphan.worldId, orphan.spec);
        this.options.onTaken?.(orphan.worldId, Date.now() - orphan.expiresAt.getTime());
        return orphan.worldId;
      } catch (error) {
        this.options.onError?.(error, orphan.worldId);
        return undefined;
      }
    });
    this.inFlight.set(orphan.worldId, taking);
    void taking.finally(() => this.inFlight.delete(orphan.worldId));
    return taking;
  }

  /**
   * Sheds one world when another live replica that reads this one's state format is at least
   * two worlds less loaded.
   */
  private async rebalance(): Promise<void> {
    const { shed, replicas, replicaId } = this.options;
    if (!shed || performance.now() < this.shedAfter || this.stopped) return;
    const format = this.options.stateFormat ?? 1;
    const live = (await replicas.live(this.role)).filter((r) => reads(r, format));
    const to = placeNewWorld({ replicaId, ...this.options.capacity() }, live);
    if (to === replicaId) return;
    this.shedAfter = performance.now() + this.options.ttlMs;
    await shed(to);
  }
}

/** An orphan as the plan sees it: the replica it was handed to counts when its holder named one. */
function toOrphanWorld(lease: WorldLease): OrphanWorld {
  const { handover } = lease;
  const to = handover && handover.epoch === lease.epoch ? handover.to : undefined;
  return { worldId: lease.worldId, stateFormat: lease.stateFormat, ...(to ? { to } : {}) };
}

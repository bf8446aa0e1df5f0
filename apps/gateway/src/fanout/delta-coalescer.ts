import type { BodyDeltaDto, DeltaDto, WorldEventDto } from '../protocol/dto/world.dto';

/** Most world events a held socket keeps before it is resynchronised by snapshot instead. */
export const MAX_PENDING_EVENTS = 256;

/** What a coalescer hands out when its socket can take data again. */
export interface CoalescedOutput {
  events: WorldEventDto[];
  delta?: DeltaDto;
  /** True when the buffer overflowed: send a fresh snapshot instead of the lost detail. */
  resync: boolean;
}

/**
 * One held socket's pending data for one world: the latest state of each body (latest wins),
 * the bodies removed since, and world events. Bounded: past `maxBodies` entries (or
 * MAX_PENDING_EVENTS events) it drops everything and asks for a resync. Ticks up to `minTick`
 * (what a snapshot already covers) are dropped at take time.
 */
export class DeltaCoalescer {
  private readonly bodies = new Map<string, { tick: number; body: BodyDeltaDto }>();
  private readonly removed = new Map<string, number>();
  private events: WorldEventDto[] = [];
  private fromTick: number | undefined;
  private lastTick = 0;
  private overflow = false;
  /** Deltas merged so far (metrics). */
  merged = 0;

  constructor(
    private readonly worldId: string,
    private readonly maxBodies: number,
  ) {}

  /** Merges one tick's delta. */
  addDelta(delta: DeltaDto): void {
    this.merged++;
    if (this.overflow) return;
    const tick = delta.tick;
    this.fromTick = Math.min(this.fromTick ?? delta.fromTick ?? tick, delta.fromTick ?? tick);
    this.lastTick = Math.max(this.lastTick, tick);
    for (const body of delta.bodies) {
      this.removed.delete(body.id);
      this.bodies.set(body.id, { tick, body });
    }
    for (const id of delta.removed ?? []) {
      this.bodies.delete(id);
      this.removed.set(id, tick);
    }
    if (this.bodies.size + this.removed.size > this.maxBodies) this.drop();
  }

  /** Queues one world event. */
  addEvent(event: WorldEventDto): void {
    if (this.overflow) return;
    this.events.push(event);
    if (this.events.length > MAX_PENDING_EVENTS) this.drop();
  }

  /** True when nothing is pending. */
  get empty(): boolean {
    return (
      !this.overflow &&
      this.events.length === 0 &&
      this.bodies.size === 0 &&
      this.removed.size === 0
    );
  }

  /** Hands out (and clears) what is pending; entries at or below `minTick` are left out. */
  take(minTick = -1): CoalescedOutput {
    const events = this.events.filter((e) => e.tick > minTick);
    const bodies = [...this.bodies.values()].filter((b) => b.tick > minTick).map((b) => b.body);
    const removed = [...this.removed].filter(([, tick]) => tick > minTick).map(([id]) => id);
    const output: CoalescedOutput = { events, resync: this.overflow };
    if (!this.overflow && (bodies.length > 0 || removed.length > 0)) {
      bodies.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const delta: DeltaDto = { worldId: this.worldId, tick: this.lastTick, bodies };
      const fromTick = Math.max(this.fromTick ?? this.lastTick, minTick + 1);
      if (fromTick < this.lastTick) delta.fromTick = fromTick;
      if (removed.length) delta.removed = removed.sort();
      output.delta = delta;
    }
    if (this.overflow) output.events = [];
    this.reset();
    return output;
  }

  private drop(): void {
    this.reset();
    this.overflow = true;
  }

  private reset(): void {
    this.bodies.clear();
    this.removed.clear();
    this.events = [];
    this.fromTick = undefined;
    this.lastTick = 0;
    this.overflow = false;
  }
}

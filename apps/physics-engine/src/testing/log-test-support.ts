import fc from 'fast-check';
import type { PhysicsIntent } from '@anvil/engine-contract';
import { TEST_SETTINGS, ball, enqueueAll } from '../simulation/test-support';
import type { WorldSimulation } from '../simulation/world-simulation';
import type { CommandLogEntry } from '../log/command-log-entry';

/** Helpers shared by the command log's tests (and the fresh-process replay script). */

/** An intent sent while the world is at `tick`: it applies at `tick + 1`. */
export type Timed = [tick: number, intent: PhysicsIntent];

const ids = fc.constantFrom('a', 'b', 'c', 'd');
const players = fc.constantFrom('ann', 'bob', 'cy');
const mm = (max: number) => fc.integer({ min: 0, max });
const speed = fc.integer({ min: -6_000, max: 6_000 });
const R = 300;

/** The player-shaped intents the interaction engine emits for join, leave, move and jump. */
const playerIntent: fc.Arbitrary<PhysicsIntent> = fc.oneof(
  fc.record({ p: players, slot: fc.integer({ min: 1, max: 9 }) }).map(({ p, slot }) => ({
    type: 'spawnBody' as const,
    body: {
      ...ball(`p:${p}`, slot * 1_000, 3 * R, R),
      lockRotation: true,
      frictionPermille: 0,
    },
  })),
  players.map((p) => ({ type: 'removeBody' as const, bodyId: `p:${p}` })),
  fc
    .record({ p: players, vx: speed })
    .map(({ p, vx }) => ({ type: 'setVelocity' as const, bodyId: `p:${p}`, vxMmS: vx })),
  players.map((p) => ({ type: 'setVelocity' as const, bodyId: `p:${p}`, vyMmS: 6_000 })),
);

/** Spawns (balls and boxes), removes, velocity changes and impulses of plain bodies. */
const bodyIntent: fc.Arbitrary<PhysicsIntent> = fc.oneof(
  fc
    .record({
      id: ids,
      x: mm(TEST_SETTINGS.widthMm),
      y: mm(TEST_SETTINGS.heightMm),
      r: fc.integer({ min: 50, max: 800 }),
      box: fc.boolean(),
    })
    .map(({ id, x, y, r, box }) => ({
      type: 'spawnBody' as const,
      body: box ? { ...ball(id, x, y), shape: 'box' as const, halfWidthMm: r } : ball(id, x, y, r),
    })),
  ids.map((bodyId) => ({ type: 'removeBody' as const, bodyId })),
  fc
    .record({ bodyId: ids, vxMmS: speed, vyMmS: fc.option(speed, { nil: undefined }) })
    .map((c) => ({ type: 'setVelocity' as const, ...c })),
  fc
    .record({ bodyId: ids, ixMnS: speed, iyMnS: speed })
    .map((c) => ({ type: 'applyImpulse' as const, ...c })),
);

/** Random intents at random ticks in [0, ticks), sorted by tick. */
export const timedIntents = (ticks: number, maxLength = 50): fc.Arbitrary<Timed[]> =>
  fc
    .array(fc.tuple(fc.nat(ticks - 1), fc.oneof(playerIntent, playerIntent, bodyIntent)), {
      maxLength,
    })
    .map((cmds) => cmds.sort((a, b) => a[0] - b[0]));

/**
 * Runs a world as the engine does, recording its log: before each step, the intents sent at
 * this tick are queued (refused ones are dropped, as a caller would get an error); each step
 * that applied at least one intent appends one entry.
 */
export class LiveWorld {
  readonly log: CommandLogEntry[] = [];
  private queuedAt = -1;

  constructor(
    readonly sim: WorldSimulation,
    private readonly commands: Timed[],
    readonly worldId = 'w',
    private readonly epoch = 0,
  ) {}

  /** Queues the intents sent at the current tick (once per tick, before `step`). */
  queue(): void {
    if (this.queuedAt === this.sim.tick) return;
    this.queuedAt = this.sim.tick;
    enqueueAll(
      this.sim,
      this.commands.filter(([t]) => t === this.sim.tick).map(([, intent]) => intent),
    );
  }

  /** Steps once, logging the applied batch. */
  step(): void {
    const { tick, applied } = this.sim.step();
    if (applied.length === 0) return;
    const seq = (this.log[this.log.length - 1]?.seq ?? 0) + 1;
    this.log.push({ worldId: this.worldId, tick, seq, epoch: this.epoch, intents: applied });
  }

  /** Runs to `tick` (queue + step per tick). */
  runUntil(tick: number): void {
    while (this.sim.tick < tick) {
      this.queue();
      this.step();
    }
  }

  /** The seq of the last entry applied at or before the current tick (0: none). */
  get logSeq(): number {
    return this.log[this.log.length - 1]?.seq ?? 0;
  }
}

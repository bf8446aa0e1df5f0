import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseCloudEvent } from '@anvil/bus';
import { loadRapier } from '../simulation/rapier';
import { TEST_OPTIONS, ball, newSimulation } from '../simulation/test-support';
import { WorldSimulation } from '../simulation/world-simulation';
import { entryFromEvent, entryToEvent, type CommandLogEntry } from './command-log-entry';
import { CommandLogError } from './command-log-error';
import { LiveWorld, timedIntents, type Timed } from '../testing/log-test-support';
import { entriesAfter, replay, replayLog, type LogCheckpoint } from './replay';

const TICKS = 60;

const entry = (seq: number, tick: number, epoch = 0, bodyId = `b${seq}`): CommandLogEntry => ({
  worldId: 'w',
  tick,
  seq,
  epoch,
  intents: [{ type: 'removeBody', bodyId }],
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CommandLogError) return error.code;
    throw error;
  }
  throw new Error('expected a CommandLogError');
}

/** A live run with its checkpoint at `t`, taken before (pending queued) or after queueing. */
async function liveWithCheckpoint(commands: Timed[], t: number, withPending: boolean) {
  const live = new LiveWorld(await newSimulation(), commands);
  live.runUntil(t);
  if (withPending) live.queue();
  const checkpoint: LogCheckpoint = {
    state: live.sim.snapshot().state,
    tick: t,
    logSeq: live.logSeq,
  };
  return { live, checkpoint };
}

describe('command log entries', () => {
  it('round-trip through their CloudEvent as the bus carries it', () => {
    const original: CommandLogEntry = {
      worldId: 'arena-1',
      tick: 42,
      seq: 7,
      epoch: 2,
      intents: [
        { type: 'spawnBody', body: ball('x', 1_000, 2_000) },
        { type: 'setVelocity', bodyId: 'x', vxMmS: 10 },
      ],
    };
    const event = entryToEvent(original, new Date(0));
    expect(event.id).toBe('dev.anvil.physics.commands-applied.v1/arena-1/7/e2');
    expect(event.tick).toBe(42);
    expect(entryFromEvent(parseCloudEvent(JSON.stringify(event)))).toEqual(original);
    expect(event.data).not.toHaveProperty('keys');
  });

  it("carry the intents' idempotency keys when any has one, and read back without them when none", () => {
    const keyed: CommandLogEntry = {
      ...entry(3, 5),
      intents: [
        { type: 'removeBody', bodyId: 'a' },
        { type: 'removeBody', bodyId: 'b' },
      ],
      keys: ['gw-1:s:9', ''],
    };
    const event = entryToEvent(keyed, new Date(0));
    expect(event.data).toMatchObject({ keys: ['gw-1:s:9', ''] });
    expect(entryFromEvent(parseCloudEvent(JSON.stringify(event)))).toEqual(keyed);
    // All empty: left out, as in an entry written before keys existed.
    const unkeyed = entryToEvent({ ...keyed, keys: ['', ''] }, new Date(0));
    expect(unkeyed.data).not.toHaveProperty('keys');
    expect(entryFromEvent(parseCloudEvent(JSON.stringify(unkeyed)))).not.toHaveProperty('keys');
  });
});

describe('entriesAfter', () => {
  const at = { tick: 10, logSeq: 2 };

  it('skips what the checkpoint holds and keeps the rest in seq order', () => {
    const log = [entry(1, 3), entry(2, 9), entry(3, 11), entry(4, 14)];
    expect(entriesAfter(at, log).entries.map((e) => e.seq)).toEqual([3, 4]);
  });

  it('refuses a gap, a conflicting duplicate and apply ticks out of order', () => {
    expect(codeOf(() => entriesAfter(at, [entry(4, 12)]))).toBe('LOG_GAP');
    expect(codeOf(() => entriesAfter(at, [entry(3, 11), entry(5, 12)]))).toBe('LOG_GAP');
    expect(codeOf(() => entriesAfter(at, [entry(3, 11), entry(3, 11, 0, 'other')]))).toBe(
      'LOG_CONFLICT',
    );
    expect(codeOf(() => entriesAfter(at, [entry(3, 11), entry(4, 11)]))).toBe('LOG_TICK_ORDER');
    expect(codeOf(() => entriesAfter(at, [entry(3, 10)]))).toBe('LOG_TICK_ORDER');
  });

  it('drops an entry written twice', () => {
    const { entries, dropped } = entriesAfter(at, [entry(3, 11), entry(3, 11), entry(4, 12)]);
    expect(entries.map((e) => e.seq)).toEqual([3, 4]);
    expect(dropped).toBe(1);
  });

  it('drops a fenced writer: a newer epoch supersedes from its first seq, older ones after it are dropped', () => {
    const log = [
      entry(3, 11, 0),
      entry(4, 12, 0, 'zombie'), // the old writer, after the new one restored up to seq 3
      entry(4, 13, 1),
      entry(5, 14, 0, 'late zombie'),
      entry(5, 15, 1),
    ];
    const { entries, dropped } = entriesAfter(at, log);
    expect(entries.map((e) => [e.seq, e.epoch, e.tick])).toEqual([
      [3, 0, 11],
      [4, 1, 13],
      [5, 1, 15],
    ]);
    expect(dropped).toBe(2);
  });

  it("lets a new owner's epoch marker supersede the old epoch from its seq, before any command", () => {
    const marker = { ...entry(3, 11, 2), intents: [] };
    const log = [entry(1, 3, 1), entry(2, 11, 1), marker, entry(3, 12, 1, 'zombie')];
    const { entries, dropped } = entriesAfter({ tick: 0, logSeq: 0 }, log);
    expect(entries.map((e) => [e.seq, e.epoch, e.intents.length])).toEqual([
      [1, 1, 1],
      [2, 1, 1],
      [3, 2, 0],
    ]);
    expect(dropped).toBe(1);
    // The zombie came first: the marker pops it.
    const before = [entry(1, 3, 1), entry(2, 11, 1), entry(3, 12, 1, 'zombie'), marker];
    expect(entriesAfter({ tick: 0, logSeq: 0 }, before).entries.at(-1)).toBe(marker);
  });

  it("drops an older epoch's entries after a newer-epoch checkpoint that does not include them", () => {
    // The epoch-1 owner restored up to seq 2 and checkpointed before writing anything; the
    // fenced epoch-0 writer's seq 3 landed after that: no later owner may apply it.
    const log = [entry(1, 3, 0), entry(2, 9, 0), entry(3, 11, 0, 'zombie'), entry(3, 12, 2)];
    const fromCheckpoint = entriesAfter({ ...at, epoch: 1 }, log.slice(0, 3));
    expect(fromCheckpoint).toEqual({ entries: [], dropped: 1, before: log.slice(0, 2) });
    const { entries } = entriesAfter({ ...at, epoch: 1 }, log);
    expect(entries.map((e) => [e.seq, e.epoch])).toEqual([[3, 2]]);
  });
});

describe('entriesAfter: the entries a checkpoint holds (for their keys)', () => {
  it('keeps the history up to logSeq: once, in seq order, superseded and fenced ones left out', () => {
    const log = [
      entry(1, 3, 0),
      entry(2, 5, 0, 'superseded'),
      entry(1, 3, 0), // written twice
      { ...entry(2, 5, 1), intents: [] }, // a new owner's marker supersedes seq 2 of epoch 0
      entry(3, 6, 0, 'zombie'), // the fenced writer, late
      entry(3, 7, 1),
      entry(4, 12, 1),
    ];
    const { entries, before } = entriesAfter({ tick: 10, logSeq: 3, epoch: 1 }, log);
    expect(before.map((e) => [e.seq, e.epoch, e.intents.length])).toEqual([
      [1, 0, 1],
      [2, 1, 0],
      [3, 1, 1],
    ]);
    expect(entries.map((e) => e.seq)).toEqual([4]);
  });
});

describe('replay', () => {
  it("learns the keys of the log's entries, those the checkpoint holds too, and reaches the same hash", async () => {
    const rapier = await loadRapier();
    const keyed = (seq: number, tick: number, id: string): CommandLogEntry => ({
      worldId: 'w',
      tick,
      seq,
      epoch: 0,
      intents: [{ type: 'spawnBody', body: ball(id, 1_000 * seq, 2_000) }],
      keys: [`k-${id}`],
    });
    const live = new LiveWorld(await newSimulation(), []);
    live.sim.enqueue(keyed(1, 1, 'a').intents[0], true, 'k-a');
    live.step();
    const checkpoint: LogCheckpoint = { state: live.sim.snapshot().state, tick: 1, logSeq: 1 };
    const log = [keyed(1, 1, 'a'), keyed(2, 4, 'b')];
    const replayed = replay(rapier, checkpoint, log, 6, TEST_OPTIONS);
    expect(replayed.keyed('k-a')).toEqual({ applyTick: 1, entityId: 'a', pending: false });
    expect(replayed.keyed('k-b')).toEqual({ applyTick: 4, entityId: 'b', pending: false });
    // Keys are not state: the same log without them replays to the same hash.
    const plain = log.map(({ keys: _keys, ...rest }) => rest);
    const without = replay(rapier, checkpoint, plain, 6, TEST_OPTIONS);
    expect(without.keyed('k-b')).toBeUndefined();
    expect(without.stateHash()).toBe(replayed.stateHash());
    for (const sim of [replayed, without, live.sim]) sim.free();
  });

  it('applies the intents pending in a checkpoint exactly once (the next entry carries them)', async () => {
    const rapier = await loadRapier();
    const commands: Timed[] = [
      [0, { type: 'spawnBody', body: ball('a', 2_000, 3_000) }],
      [4, { type: 'spawnBody', body: ball('b', 5_000, 3_000) }],
      [4, { type: 'applyImpulse', bodyId: 'a', ixMnS: 900, iyMnS: 0 }],
      [5, { type: 'setVelocity', bodyId: 'b', vxMmS: -800 }],
    ];
    const { live, checkpoint } = await liveWithCheckpoint(commands, 4, true);
    expect(live.sim.pendingCount).toBe(2);
    live.runUntil(20);
    // The entry of tick 5 holds the two intents the checkpoint had pending.
    expect(live.log.map((e) => [e.seq, e.tick, e.intents.length])).toEqual([
      [1, 1, 1],
      [2, 5, 2],
      [3, 6, 1],
    ]);
    expect(checkpoint.logSeq).toBe(1);
    const replayed = replayLog(rapier, checkpoint, live.log, 20, TEST_OPTIONS);
    expect(replayed.logSeq).toBe(3);
    expect(replayed.sim.stateHash()).toBe(live.sim.stateHash());
    // Without the rule, spawning "b" again would be refused: the world already has it.
    const naive = WorldSimulation.restore(rapier, checkpoint.state, TEST_OPTIONS);
    expect(() => naive.enqueue(live.log[1].intents[0])).toThrow(/already/);
    naive.free();
    replayed.sim.free();
    live.sim.free();
  });

  it('refuses a log that does not fit the checkpoint', async () => {
    const rapier = await loadRapier();
    const sim = await newSimulation();
    const checkpoint: LogCheckpoint = { state: sim.snapshot().state, tick: 0, logSeq: 0 };
    expect(codeOf(() => replay(rapier, checkpoint, [entry(1, 3)], 5, TEST_OPTIONS))).toBe(
      'LOG_INTENT_REFUSED',
    );
    expect(codeOf(() => replay(rapier, { ...checkpoint, tick: 3 }, [], 5, TEST_OPTIONS))).toBe(
      'LOG_MALFORMED',
    );
    sim.free();
  });

  it('property: checkpoint at T plus the entries after it replays to the live hash at T+N', async () => {
    const rapier = await loadRapier();
    await fc.assert(
      fc.asyncProperty(
        timedIntents(TICKS),
        fc.integer({ min: 0, max: TICKS - 1 }),
        fc.integer({ min: 0, max: TICKS }),
        fc.boolean(),
        fc.boolean(),
        async (commands, t, n, withPending, wholeLog) => {
          const { live, checkpoint } = await liveWithCheckpoint(commands, t, withPending);
          live.runUntil(t + n);
          // Intents still queued at T+N (only when N is 0) are in no entry yet, so in no
          // history: nothing acknowledged them. Replay reaches the live world without them.
          live.sim.discardPending();
          const after = live.log.filter((e) => e.seq > checkpoint.logSeq);
          // Entries are JSON on the bus: replay what a consumer would read back.
          const entries = JSON.parse(JSON.stringify(wholeLog ? live.log : after));
          const sim = replay(rapier, checkpoint, entries, t + n, TEST_OPTIONS);
          expect(sim.tick).toBe(t + n);
          expect(sim.stateHash()).toBe(live.sim.stateHash());
          sim.free();
          live.sim.free();
        },
      ),
      {
        numRuns: 40,
        examples: [[[[0, { type: 'spawnBody', body: ball('a', 6_000, 900) }]], 0, 0, true, false]],
      },
    );
  }, 120_000);

  it('replays in a fresh process to the live hash', async () => {
    const samples = fc.sample(
      fc.tuple(timedIntents(TICKS), fc.integer({ min: 1, max: TICKS - 1 }), fc.boolean()),
      { numRuns: 6, seed: 7 },
    );
    const cases: Array<{ checkpoint: object; entries: CommandLogEntry[]; untilTick: number }> = [];
    const expected: Array<{ tick: number; logSeq: number; hash: string }> = [];
    for (const [commands, t, withPending] of samples) {
      const { live, checkpoint } = await liveWithCheckpoint(commands, t, withPending);
      live.runUntil(TICKS);
      cases.push({
        checkpoint: { ...checkpoint, state: Buffer.from(checkpoint.state).toString('base64') },
        entries: live.log.filter((e) => e.seq > checkpoint.logSeq),
        untilTick: TICKS,
      });
      expected.push({ tick: TICKS, logSeq: live.logSeq, hash: live.sim.stateHash() });
      live.sim.free();
    }
    const child = spawnSync(process.execPath, [path.join(__dirname, '../../test/replay-log.cjs')], {
      input: JSON.stringify({ cases }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    const results = JSON.parse(child.stdout) as Array<{ pid: number } & (typeof expected)[0]>;
    expect(results[0].pid).not.toBe(process.pid);
    expect(results.map(({ pid: _pid, ...rest }) => rest)).toEqual(expected);
  }, 60_000);
});

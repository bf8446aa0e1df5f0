// The command log on the real Kafka of tools/testenv, with the built physics engine as a process
// (build first: npx nx run physics-engine:build). The log is read back with a plain kafkajs
// consumer, as any consumer would.
import fc from 'fast-check';
import { EVENT_TYPES, worldTopic, type CloudEvent, type CommandsAppliedData } from '@anvil/bus';
import {
  EngineClient,
  commandFromWire,
  commandToWire,
  type PhysicsIntent,
} from '@anvil/engine-contract';
import {
  TEST_ENGINE_TOKEN,
  readTopic,
  startPhysicsEngine,
  type EngineProcess,
} from '../src/testing/engine-process';
import { loadRapier } from '../src/simulation/rapier';
import { decodeState } from '../src/simulation/state-codec';
import { WorldSimulation, type SimulationOptions } from '../src/simulation/world-simulation';
import type { CommandLogEntry } from '../src/log/command-log-entry';
import { timedIntents } from '../src/testing/log-test-support';
import { replay, replayLog } from '../src/log/replay';

jest.setTimeout(300_000);

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const PREFIX = `cmdlog${run}`;
const HZ = 30;
const OPTIONS: SimulationOptions = { dtSeconds: 1 / HZ, maxQueuedIntents: 4_096 };
const brokers = () => (process.env['KAFKA_BROKERS'] as string).split(',');
const access = { token: TEST_ENGINE_TOKEN, caller: 'command-log-int' };

const kafkaEnv = (mode: 'auto' | 'manual') => ({
  BUS: 'kafka',
  KAFKA_BROKERS: process.env['KAFKA_BROKERS'] as string,
  BUS_TOPIC_PREFIX: PREFIX,
  TICK_HZ: String(HZ),
  TICK_MODE: mode,
});

/** The world's log entries as a plain consumer reads them, in log order. */
async function readLog(worldId: string): Promise<CommandLogEntry[]> {
  const records = await readTopic(brokers(), worldTopic('commands', PREFIX));
  return records
    .filter((r) => r.key === worldId)
    .map((r) => r.value as CloudEvent<CommandsAppliedData>)
    .filter((e) => e.type === EVENT_TYPES.commandsApplied)
    .map((e) => e.data as unknown as CommandLogEntry);
}

/** The player-shaped intents of the interaction engine, and plain bodies, for one world. */
const playerSpawn = (p: string, x: number): PhysicsIntent => ({
  type: 'spawnBody',
  body: {
    id: `p:${p}`,
    kind: 'dynamic',
    shape: 'ball',
    halfWidthMm: 300,
    halfHeightMm: 300,
    xMm: x,
    yMm: 900,
    vxMmS: 0,
    vyMmS: 0,
    lockRotation: true,
    frictionPermille: 0,
  },
});

/** A burst of commands for one step of the scenario: joins, moves, jumps, leaves, spawns. */
function burst(round: number): PhysicsIntent[] {
  const players = ['ann', 'bob', 'cy', 'dee'];
  const p = players[round % players.length];
  const q = players[(round + 1) % players.length];
  return [
    playerSpawn(p, 2_000 + 3_000 * (round % players.length)),
    { type: 'setVelocity', bodyId: `p:${q}`, vxMmS: ((round * 1_337) % 8_000) - 4_000 },
    { type: 'setVelocity', bodyId: `p:${p}`, vyMmS: 6_000 },
    {
      type: 'spawnBody',
      body: {
        id: `box-${round}`,
        kind: 'dynamic',
        shape: 'box',
        halfWidthMm: 200,
        halfHeightMm: 150,
        xMm: 1_000 + ((round * 2_111) % 30_000),
        yMm: 5_000,
        vxMmS: 0,
        vyMmS: 0,
        lockRotation: false,
      },
    },
    { type: 'applyImpulse', bodyId: `box-${round - 1}`, ixMnS: 400, iyMnS: 900 },
    ...(round % 3 === 2 ? [{ type: 'removeBody' as const, bodyId: `p:${q}` }] : []),
  ];
}

interface Acked {
  intent: PhysicsIntent;
  applyTick: number;
}

/** Sends the intents concurrently; returns the acknowledged ones with their apply tick. */
async function send(client: EngineClient, worldId: string, intents: PhysicsIntent[]) {
  const acked: Acked[] = [];
  await Promise.all(
    intents.map((intent) =>
      client.applyCommand({ worldId, command: commandToWire(intent) }).then(
        ({ applyTick }) => void acked.push({ intent, applyTick }),
        () => undefined, // refused by the world (unknown body...): not acknowledged
      ),
    ),
  );
  return acked;
}

/** Every acknowledged command appears in the entry of its apply tick, seqs are 1..n. */
function expectAllLogged(log: CommandLogEntry[], acked: Acked[]) {
  expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
  const byTick = new Map(log.map((e) => [e.tick, e]));
  const missing = acked.filter(({ intent, applyTick }) => {
    // As the engine read it off the wire, and as JSON (absent optional fields) like the log.
    const wire = JSON.parse(JSON.stringify(commandFromWire(commandToWire(intent)))) as object;
    return !byTick
      .get(applyTick)
      ?.intents.some((logged) => expect.objectContaining(wire).asymmetricMatch(logged));
  });
  expect(missing).toEqual([]);
}

describe('the command log on Kafka', () => {
  let engine: EngineProcess | undefined;
  afterEach(async () => {
    await engine?.kill();
    engine = undefined;
  });

  it('holds every acknowledged command with its apply tick after a SIGKILL, and replays to the hash the engine reported; a restarted engine continues from it', async () => {
    engine = await startPhysicsEngine(kafkaEnv('auto'));
    const client = new EngineClient(engine.address, { access });
    const worldId = 'arena';
    const init = await client.init({
      worldId,
      config: { widthMm: 40_000, heightMm: 20_000, maxBodies: 0 },
    });
    expect(init.created).toBe(true);
    const acked: Acked[] = [];
    for (let round = 1; round <= 12; round++)
      acked.push(...(await send(client, worldId, burst(round))));
    // Everything sent is answered, so nothing is queued: the snapshot is the logged history.
    const reported = await client.snapshot({ worldId });
    const settings = decodeState(reported.state).header.settings;
    // More commands in flight, and the process is killed as soon as a few are acknowledged.
    const inFlight = Array.from({ length: 6 }, (_, i) => burst(20 + i)).flat();
    const late: Acked[] = [];
    const answers = inFlight.map((intent) =>
      client.applyCommand({ worldId, command: commandToWire(intent) }).then(
        ({ applyTick }) => void late.push({ intent, applyTick }),
        () => undefined,
      ),
    );
    const deadline = Date.now() + 30_000;
    while (late.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    await engine.kill();
    const ackedBeforeKill = [...late];
    await Promise.all(answers);
    client.close();
    expect(ackedBeforeKill.length).toBeGreaterThanOrEqual(5);

    const log = await readLog(worldId);
    expect(acked.length).toBeGreaterThan(30);
    expectAllLogged(log, [...acked, ...ackedBeforeKill]);

    // Replayed from the world's first state, the log reaches the hash the engine reported.
    const rapier = await loadRapier();
    const first = WorldSimulation.create(rapier, settings, OPTIONS);
    const base = { state: first.snapshot().state, tick: 0, logSeq: 0 };
    first.free();
    const replayed = replay(rapier, base, log, reported.tick, OPTIONS);
    expect(replayed.stateHash()).toBe(reported.stateHash);
    replayed.free();

    // A fresh engine on the same log continues from the last logged tick, with the replayed hash,
    // and (a world that comes back) steps once at once.
    engine = await startPhysicsEngine(kafkaEnv('auto'));
    const again = new EngineClient(engine.address, { access });
    const lastTick = log[log.length - 1].tick;
    const restarted = await again.init({
      worldId,
      config: { widthMm: 40_000, heightMm: 20_000, maxBodies: 0 },
    });
    const expected = replayLog(rapier, base, log, lastTick, OPTIONS);
    expected.sim.step();
    expect({ created: restarted.created, tick: restarted.tick, hash: restarted.stateHash }).toEqual(
      {
        created: false,
        tick: lastTick + 1,
        hash: expected.sim.stateHash(),
      },
    );
    expected.sim.free();
    again.close();
  });

  it('keyed commands in flight at a SIGKILL, sent again with their keys to a fresh engine on the same log, apply once', async () => {
    engine = await startPhysicsEngine(kafkaEnv('auto'));
    const client = new EngineClient(engine.address, { access });
    const worldId = 'keyed';
    const config = { widthMm: 40_000, heightMm: 20_000, maxBodies: 0 };
    await client.init({ worldId, config });
    // The first append to a new topic may be refused while Kafka elects its leader: the spawn
    // was applied and its entry is retried, so it is sent again with its key until answered.
    const spawn = commandToWire(playerSpawn('ann', 2_000));
    for (let attempt = 0; ; attempt++) {
      try {
        await client.applyCommand({ worldId, command: spawn, idempotencyKey: 'gw-1:ann:join' });
        break;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    // Impulses: applied twice they would change the world twice, and nothing would refuse them.
    const impulse = (i: number): PhysicsIntent => ({
      type: 'applyImpulse',
      bodyId: 'p:ann',
      ixMnS: 10 + i,
      iyMnS: 0,
    });
    const keys = Array.from({ length: 120 }, (_, i) => `gw-1:ann:${i}`);
    const first = new Map<string, number>();
    const answers: Promise<void>[] = [];
    // Waves of 4 a few ms apart, over several ticks: the kill finds some answered, some logged
    // and not answered, some not logged yet, some not sent.
    let killed = false;
    const sending = (async () => {
      for (const [i, idempotencyKey] of keys.entries()) {
        if (killed) break;
        const command = commandToWire(impulse(i));
        answers.push(
          client.applyCommand({ worldId, command, idempotencyKey }).then(
            ({ applyTick }) => void first.set(idempotencyKey, applyTick),
            () => undefined, // outcome unknown: sent again below
          ),
        );
        if (i % 4 === 3) await new Promise((r) => setTimeout(r, 4));
      }
    })();
    const deadline = Date.now() + 30_000;
    while (first.size < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    killed = true;
    await engine.kill();
    const ackedBeforeKill = new Map(first);
    await sending;
    await Promise.all(answers);
    client.close();
    expect(ackedBeforeKill.size).toBeGreaterThanOrEqual(12);
    expect(ackedBeforeKill.size).toBeLessThan(keys.length);

    // The gateway's retry: every command whose answer it has not seen, and a few it has, with
    // the same keys, to the engine that now runs the world (restored from the log).
    engine = await startPhysicsEngine(kafkaEnv('auto'));
    const again = new EngineClient(engine.address, { access });
    await again.init({ worldId, config });
    const retried = await Promise.all(
      keys.map((idempotencyKey, i) =>
        again.applyCommand({ worldId, command: commandToWire(impulse(i)), idempotencyKey }),
      ),
    );
    again.close();
    for (const [i, key] of keys.entries()) {
      const tick = ackedBeforeKill.get(key);
      if (tick !== undefined) expect({ key, tick: retried[i].applyTick }).toEqual({ key, tick });
    }
    // Each key is in the log exactly once (the join's too), with its intent.
    const logged = (await readLog(worldId)).flatMap((e) =>
      (e.keys ?? []).map((key, i) => ({ key, intent: e.intents[i] })).filter((k) => k.key),
    );
    expect(logged.map((k) => k.key).sort()).toEqual([...keys, 'gw-1:ann:join'].sort());
    for (const { key, intent } of logged.filter((k) => k.key !== 'gw-1:ann:join'))
      expect(intent).toEqual(impulse(Number(key.split(':')[2])));
  });

  it('property, fixed seed: a checkpoint at T plus the log read back from Kafka replays to the engine hash at T+N', async () => {
    engine = await startPhysicsEngine(kafkaEnv('manual'));
    const client = new EngineClient(engine.address, { access });
    const rapier = await loadRapier();
    const TICKS = 40;
    const cases = fc.sample(
      fc.tuple(
        timedIntents(TICKS, 40),
        fc.integer({ min: 0, max: TICKS - 1 }),
        fc.integer({ min: 1, max: 20 }),
      ),
      { numRuns: 4, seed: 2026 },
    );
    const expectations: Array<{
      worldId: string;
      state: Uint8Array;
      t: number;
      until: number;
      hash: string;
    }> = [];
    for (const [index, [commands, t, n]] of cases.entries()) {
      const worldId = `prop-${index}`;
      await client.init({ worldId, config: { widthMm: 10_000, heightMm: 10_000, maxBodies: 100 } });
      let state: Uint8Array | undefined;
      for (let tick = 0; tick < t + n; tick++) {
        for (const [, intent] of commands.filter(([at]) => at === tick)) {
          await client
            .applyCommand({ worldId, command: commandToWire(intent) })
            .catch(() => undefined);
        }
        // The checkpoint is taken with tick T's commands queued: the pending-intents case.
        if (tick === t) state = (await client.snapshot({ worldId })).state;
        await client.tick({ worldId, targetTick: tick + 1 });
      }
      const live = await client.snapshot({ worldId });
      expect(live.tick).toBe(t + n);
      expectations.push({ worldId, state: state!, t, until: t + n, hash: live.stateHash });
    }
    client.close();
    for (const { worldId, state, t, until, hash } of expectations) {
      const log = await readLog(worldId);
      const logSeq = log.filter((e) => e.tick <= t).at(-1)?.seq ?? 0;
      const sim = replay(
        rapier,
        { state, tick: t, logSeq },
        log.filter((e) => e.seq > logSeq),
        until,
        {
          ...OPTIONS,
          maxQueuedIntents: 1_024,
        },
      );
      expect({ worldId, hash: sim.stateHash() }).toEqual({ worldId, hash });
      sim.free();
    }
  });
});

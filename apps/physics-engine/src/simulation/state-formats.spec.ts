import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidCommandError, PreconditionError } from '@anvil/engine-contract';
import { loadRapier } from './rapier';
import {
  OLDEST_STATE_FORMAT,
  STATE_FORMAT_VERSION,
  decodeState,
  encodeState,
  sha256,
} from './state-codec';
import { TEST_OPTIONS, TEST_SETTINGS, ball } from './test-support';
import { WorldSimulation } from './world-simulation';

// A state of every format an engine release wrote, committed from that release: each must keep
// restoring to the state it was (its hash) in every later release. A release that bumps
// STATE_FORMAT_VERSION writes its own with `WRITE_STATE_FIXTURE=1` (an existing file is kept).
const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'states');

interface FixtureFacts {
  format: number;
  tick: number;
  stateHash: string;
  bodies: string[];
  pending: number;
}

/** Every kind and shape of body, some moving, some settled, and an intent still queued. */
async function fixtureWorld(): Promise<WorldSimulation> {
  const sim = WorldSimulation.create(await loadRapier(), TEST_SETTINGS, TEST_OPTIONS);
  const intents = [
    { type: 'spawnBody' as const, body: ball('ball', 2_000, 6_000) },
    {
      type: 'spawnBody' as const,
      body: { ...ball('crate', 5_000, 3_000), shape: 'box' as const, halfHeightMm: 400 },
    },
    {
      type: 'spawnBody' as const,
      body: { ...ball('ledge', 7_000, 1_500), kind: 'fixed' as const, shape: 'box' as const },
    },
    {
      type: 'spawnBody' as const,
      body: { ...ball('lift', 8_500, 2_000), kind: 'kinematic' as const, vyMmS: 300 },
    },
    {
      type: 'spawnBody' as const,
      body: { ...ball('p:ann', 3_000, 900, 300), lockRotation: true, frictionPermille: 0 },
    },
  ];
  for (const intent of intents) sim.enqueue(intent);
  for (let t = 0; t < 20; t++) sim.step();
  sim.enqueue({ type: 'setVelocity', bodyId: 'p:ann', vxMmS: 1_500 });
  for (let t = 0; t < 10; t++) sim.step();
  sim.enqueue({ type: 'applyImpulse', bodyId: 'ball', ixMnS: 200, iyMnS: 0 });
  return sim;
}

if (process.env['WRITE_STATE_FIXTURE']) {
  it(`writes the state fixture of format ${STATE_FORMAT_VERSION}`, async () => {
    const file = join(FIXTURES, `state-v${STATE_FORMAT_VERSION}`);
    if (existsSync(`${file}.bin`)) return;
    const sim = await fixtureWorld();
    const { state, tick, stateHash, bodies } = sim.snapshot();
    const facts: FixtureFacts = {
      format: STATE_FORMAT_VERSION,
      tick,
      stateHash,
      bodies: bodies.map((b) => b.id),
      pending: sim.pendingCount,
    };
    writeFileSync(`${file}.bin`, state);
    writeFileSync(`${file}.json`, `${JSON.stringify(facts, null, 2)}\n`);
    sim.free();
  });
}

describe('state formats', () => {
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.bin'));

  it('has a committed state of the format this engine writes', () => {
    expect(fixtures).toContain(`state-v${STATE_FORMAT_VERSION}.bin`);
  });

  it.each(fixtures)(
    'restores %s, written by an earlier release, to the state it was',
    async (name) => {
      const state = readFileSync(join(FIXTURES, name));
      const facts = JSON.parse(
        readFileSync(join(FIXTURES, name.replace(/\.bin$/, '.json')), 'utf8'),
      ) as FixtureFacts;
      expect(facts.format).toBeGreaterThanOrEqual(OLDEST_STATE_FORMAT);
      expect(sha256(state)).toBe(facts.stateHash);
      const sim = WorldSimulation.restore(await loadRapier(), state, TEST_OPTIONS);
      expect(sim.tick).toBe(facts.tick);
      expect(sim.pendingCount).toBe(facts.pending);
      expect(sim.snapshot().bodies.map((b) => b.id)).toEqual(facts.bodies);
      // Of the current format it comes back byte for byte; an older one is upgraded as it is read.
      if (facts.format === STATE_FORMAT_VERSION) expect(sim.stateHash()).toBe(facts.stateHash);
      sim.step(); // and it runs on
      expect(sim.tick).toBe(facts.tick + 1);
      sim.free();
    },
  );

  it('refuses a state of a newer format with FAILED_PRECONDITION, and a malformed version with INVALID_ARGUMENT', async () => {
    const sim = await fixtureWorld();
    const { header, rapierSnapshot } = decodeState(sim.snapshot().state);
    sim.free();
    const rapier = await loadRapier();
    const restore = (v: unknown) =>
      WorldSimulation.restore(
        rapier,
        encodeState({ ...header, v: v as number }, rapierSnapshot),
        TEST_OPTIONS,
      );
    expect(() => restore(STATE_FORMAT_VERSION + 1)).toThrow(PreconditionError);
    expect(() => restore(STATE_FORMAT_VERSION + 1)).toThrow(
      `state format ${STATE_FORMAT_VERSION + 1} was written by a newer physics engine`,
    );
    for (const v of [0, -1, 1.5, '1', null, 2 ** 60])
      expect(() => restore(v)).toThrow(InvalidCommandError);
  });
});

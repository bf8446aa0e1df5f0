import { InMemoryBus } from '@anvil/bus';
import { EngineErrorCode, WorldOwnedElsewhereError } from '@anvil/engine-contract';
import { WorldOwnership, gameRole } from '@anvil/ownership';
import { ManualClock } from '@anvil/runtime';
import { createStorage, type Storage } from '@anvil/storage';
import { InteractionEvents } from '../events/interaction-events';
import { sha256 } from '../rules/state-codec';
import { GameWorldsService } from '../worlds/game-worlds.service';
import { counting, countingConfig, fakePhysics } from '../worlds/test-support';
import { GameOwnership } from './game-ownership';

// Two replicas of one game module on one PGlite: leases, saved rules state and takeover, with
// the lease clock in the test's hands (ManualClock) and the database's clock real.
const ROLE = gameRole('counting-game', '1.0.0');
const TTL = 300;

let storage: Storage;
let bus: InMemoryBus;

beforeAll(async () => {
  storage = await createStorage({ url: 'pglite://memory' });
  await storage.migrate();
});
afterAll(() => storage.close());
// The replicas of a test share one physics engine, as a module's replicas do.
let physics: ReturnType<typeof fakePhysics>;
beforeEach(() => {
  bus = new InMemoryBus();
  physics = fakePhysics();
});
afterEach(() => bus.close());

function replica(holder: string) {
  const clock = new ManualClock();
  const leases = new WorldOwnership({
    leases: storage.leases,
    holder,
    address: () => `${holder}:1`,
    ttlMs: TTL,
    renewEveryMs: 100,
    role: ROLE,
    clock,
    timers: clock,
  });
  const worlds = new GameWorldsService({
    rules: counting,
    label: 'the counting game',
    physics: physics.clients,
    events: new InteractionEvents(bus, () => undefined, { source: '/anvil/counting' }),
    config: countingConfig,
    clock,
    ownership: new GameOwnership(leases, storage.gameStates, ROLE),
  });
  leases.onLost((worldId, reason) => void worlds.lose(worldId, reason));
  return { clock, leases, worlds, physics: physics.state };
}

const interact = { type: 'interact', playerId: 'a', targetId: 'b' } as const;
const expire = () => new Promise((resolve) => setTimeout(resolve, TTL + 50));
const saved = async (worldId: string) => {
  const row = await storage.gameStates.get(worldId, ROLE);
  return row && { epoch: row.epoch, count: JSON.parse(Buffer.from(row.state).toString()).count };
};

describe('game module ownership', () => {
  it('runs a world on one replica: another answers FAILED_PRECONDITION with the owner address', async () => {
    const a = replica('a');
    const b = replica('b');
    await a.worlds.init('w1', undefined, [], 'gateway');
    const refused = await b.worlds.init('w1', undefined, [], 'gateway').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorldOwnedElsewhereError);
    expect(refused).toMatchObject({
      ownerAddress: 'a:1',
      code: EngineErrorCode.FailedPrecondition,
    });
    expect(b.worlds.size).toBe(0);
  });

  it('saves every change of the rules state before answering, under the lease epoch', async () => {
    const a = replica('a');
    await expect(a.worlds.init('w2', undefined, [], 'gateway')).resolves.toMatchObject({
      created: true,
    });
    await Promise.all([a.worlds.apply('w2', interact), a.worlds.apply('w2', interact)]);
    expect(await saved('w2')).toEqual({ epoch: 1, count: 2 });
    const row = await storage.gameStates.get('w2', ROLE);
    expect(row?.stateHash).toBe(a.worlds.stateHash('w2'));
    expect(row?.stateHash).toBe(sha256(Buffer.from(row!.state)));
  });

  it("a replica taking the world over goes on from the dead owner's last answered state", async () => {
    const a = replica('a');
    const b = replica('b');
    await a.worlds.init('w3', undefined, [], 'gateway');
    await a.worlds.apply('w3', interact);
    await a.worlds.apply('w3', interact);
    // a dies: nothing renews its lease.
    await a.leases.stop();
    await expire();
    const [orphan] = (await storage.leases.orphans(ROLE, 10)).filter((o) => o.worldId === 'w3');
    expect(orphan.spec).toMatchObject({ caller: 'gateway', bindings: [] });
    await b.worlds.takeOver('w3', orphan.spec);
    expect(b.worlds.publicState('w3')).toEqual({ count: 2 });
    await b.worlds.apply('w3', interact);
    expect(await saved('w3')).toEqual({ epoch: 2, count: 3 });
  });

  it('an owner paused past its lease answers nothing and saves nothing when it wakes', async () => {
    const a = replica('a');
    const b = replica('b');
    await a.worlds.init('w4', undefined, [], 'gateway');
    await a.worlds.apply('w4', interact);
    // a is paused: its timers stop (the manual clock does not move), the database's clock runs.
    await expire();
    // Its players are in the state b restores: nothing for the gateway to put back.
    await expect(b.worlds.init('w4', undefined, [], 'gateway')).resolves.toMatchObject({
      created: false,
    });
    // a wakes before it noticed anything: by its own clock the lease is still valid, so the
    // store is what refuses its epoch.
    const woken = await a.worlds.apply('w4', interact).catch((e: unknown) => e);
    expect(woken).toMatchObject({ code: EngineErrorCode.Unavailable });
    expect(await saved('w4')).toEqual({ epoch: 1, count: 1 });
    await b.worlds.apply('w4', interact);
    expect(await saved('w4')).toEqual({ epoch: 2, count: 2 });
    // Its clock moves on: the next renewal finds the lease taken and drops the world.
    a.clock.advance(100);
    await a.leases.renew();
    expect(a.worlds.size).toBe(0);
  });

  it('an owner paused past its lease gets no intent applied once its successor started the world: physics fences its epoch', async () => {
    const a = replica('a');
    const b = replica('b');
    const jump = { type: 'jump', playerId: 'a' } as const;
    await a.worlds.init('w9', undefined, [], 'gateway');
    await a.worlds.apply('w9', jump);
    await expire();
    await b.worlds.init('w9', undefined, [], 'gateway');
    // a wakes before it noticed anything: its intent carries epoch 1, which physics refuses.
    const woken = await a.worlds.apply('w9', jump).catch((e: unknown) => e);
    expect(woken).toMatchObject({
      code: EngineErrorCode.Unavailable,
      message: expect.stringContaining('this replica no longer owns the world'),
    });
    await b.worlds.apply('w9', jump);
    expect(physics.state.senders.filter((s) => s.worldId === 'w9').map((s) => s.epoch)).toEqual([
      1, // a's Init
      1, // a's jump
      2, // b's Init
      2, // b's jump
    ]);
  });

  it('leaves its worlds as orphans when it shuts down, and closed worlds as not to take over', async () => {
    const a = replica('a');
    await a.worlds.init('w5', undefined, [], 'gateway');
    await a.worlds.init('w6', undefined, [], 'gateway');
    await a.worlds.close('w6');
    await a.worlds.leaveAll();
    const orphans = (await storage.leases.orphans(ROLE, 10)).map((o) => o.worldId);
    expect(orphans).toContain('w5');
    expect(orphans).not.toContain('w6');
  });

  it('does not run a world whose lease it lost while its physics engine was answering Init', async () => {
    const a = replica('a');
    let answer = () => undefined as void;
    a.physics.initGate = new Promise<void>((resolve) => (answer = resolve));
    const starting = a.worlds.init('w7', undefined, [], 'gateway').catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    a.clock.advance(TTL); // its renewals did not run in time
    answer();
    expect(await starting).toMatchObject({ code: EngineErrorCode.Unavailable });
    expect(a.worlds.size).toBe(0);
  });

  it('starts a world once when Inits that waited for a failed start go on together', async () => {
    const a = replica('a');
    let answer = () => undefined as void;
    a.physics.initGate = new Promise<void>((resolve) => (answer = resolve));
    const first = a.worlds.init('w-once', undefined, [], 'gateway').catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiting = [1, 2].map(() => a.worlds.init('w-once', undefined, [], 'gateway'));
    a.clock.advance(TTL); // the first start's lease is not valid when physics answers
    answer();
    expect(await first).toMatchObject({ code: EngineErrorCode.Unavailable });
    // One start for both: before, both started, and the second acquisition raised the epoch
    // under the first, which then failed.
    await expect(Promise.all(waiting)).resolves.toHaveLength(2);
    const { epoch } = (await storage.leases.get('w-once', ROLE))!;
    expect(a.leases.list().map((l) => [l.worldId, l.epoch])).toEqual([['w-once', epoch]]);
    expect(a.worlds.size).toBe(1);
  });

  it('takes over a world it still runs under an orphaned lease again, under a new epoch', async () => {
    const a = replica('a');
    await a.worlds.init('w8', undefined, [], 'gateway');
    await a.worlds.apply('w8', interact);
    // Its renewals stopped (a stalled loop) and the lease ended: the world is an orphan, yet here.
    await a.leases.stop();
    await expire();
    const [orphan] = (await storage.leases.orphans(ROLE, 10)).filter((o) => o.worldId === 'w8');
    await a.worlds.takeOver('w8', orphan.spec);
    expect(await storage.leases.get('w8', ROLE)).toMatchObject({ holder: 'a', epoch: 2 });
    expect(a.worlds.publicState('w8')).toEqual({ count: 1 });
    await a.worlds.apply('w8', interact);
    expect(await saved('w8')).toEqual({ epoch: 2, count: 2 });
  });
});

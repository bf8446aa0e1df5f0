// `npm start -- --replicas 2`, in this process: the host (src/host.ts) with two physics engine
// replicas on its PGlite and in-memory bus. A world runs on one of them (its lease says which);
// stopping that replica through the API moves the world to the other, where it goes on: its
// tick advances there, its players are the same, a player's commands are acknowledged and the
// gateway and the spectator stream keep sending deltas; the API names the new replica.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Socket } from 'socket.io-client';
import { playerBodyId } from '@anvil/engine-contract';
import { Host } from '../src/host';
import { parseOptions } from '../src/options';
import { copyExamples, until } from './host';
import { connectPlayer } from './tag-players';

jest.setTimeout(300_000);

const WORLD = 'arena-eu-1';

interface Placement {
  replica: string;
  address: string;
  epoch: number;
  state: string;
}
interface Replica {
  id: string;
  state: string;
  address: string | null;
  worlds: string[];
}

/** The spectator stream's events, read as they come. */
function spectate(url: string) {
  const events: Array<{ event: string; data: any }> = [];
  const controller = new AbortController();
  void (async () => {
    const res = await fetch(url, { signal: controller.signal });
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })().catch(() => undefined);
  return { events, close: () => controller.abort() };
}

describe('npm start -- --replicas 2 (in process)', () => {
  let dataDir: string;
  let manifests: string;
  let host: Host;
  let web: string;
  let player: Socket | undefined;
  let stream: ReturnType<typeof spectate> | undefined;
  const printed: string[] = [];

  const api = async (target: string, init?: RequestInit) => {
    const res = await fetch(new URL(target, web), init);
    return { status: res.status, body: (await res.json()) as any };
  };
  const worlds = async () => (await api('/api/worlds')).body;
  const placementOf = async (): Promise<Placement | null> =>
    (await worlds()).worlds.find((w: any) => w.id === WORLD).status.placement;
  const snapshot = async () => (await api(`/api/worlds/${WORLD}/snapshot`)).body;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-replicas-data-'));
    manifests = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-replicas-manifests-'));
    copyExamples(manifests);
    for (const stream of ['log', 'error'] as const)
      jest
        .spyOn(console, stream)
        .mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
    const options = parseOptions(
      [
        ...['--port', '0', '--free-ports', '--no-watch', '--no-build'],
        ...['--bots', '2', '--props', '4', '--checkpoint-ticks', '60', '--replicas', '2'],
        ...['--data', dataDir, '--manifests', manifests],
      ],
      {},
    );
    host = new Host(options);
    await host.start();
    web = host.webUrl as string;
  }, 300_000);

  afterAll(async () => {
    player?.close();
    stream?.close();
    await host?.stop();
    jest.restoreAllMocks();
    for (const dir of [dataDir, manifests])
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs two physics replicas behind the module address the game modules are given', async () => {
    expect(printed.join('\n')).toMatch(
      /replica {2}physics-rapier-0 .*\n.*replica {2}physics-rapier-1 /,
    );
    const data = await worlds();
    expect(data.replicas.map((r: Replica) => [r.id, r.state])).toEqual([
      ['physics-rapier-0', 'running'],
      ['physics-rapier-1', 'running'],
    ]);
    const physics = data.engines.find((e: any) => e.app === 'physics-engine');
    const interaction = data.engines.find((e: any) => e.app === 'interaction-engine');
    expect(interaction.env.PHYSICS_ENGINE_ADDRESS).toBe(physics.address);
    const replicaAddresses = data.replicas.map((r: Replica) => r.address);
    expect(replicaAddresses).not.toContain(physics.address);
    expect(new Set(replicaAddresses).size).toBe(2);
  });

  it('moves a world to the other replica when its replica stops; it goes on there with the same players', async () => {
    // The bots' joins start the world; the replica holding its lease runs it.
    const before = await until(
      `${WORLD} started, on a replica`,
      async () => {
        const data = await worlds();
        const world = data.worlds.find((w: any) => w.id === WORLD);
        const runner = data.replicas.find((r: Replica) => r.worlds.includes(WORLD));
        return (
          world.started &&
          world.status.placement?.state === 'Running' &&
          runner?.id === world.status.placement.replica && {
            placement: world.status.placement as Placement,
            runner: runner as Replica,
          }
        );
      },
      120_000,
    );
    expect(before.placement.address).toBe(before.runner.address);
    const from = before.placement.replica;
    const to = from === 'physics-rapier-0' ? 'physics-rapier-1' : 'physics-rapier-0';

    // A player through the gateway, and a spectator of the host's stream.
    const { body: token } = await api('/api/token?player=alice');
    player = await connectPlayer((await worlds()).gateway.url, token.token);
    const deltas: Array<{ tick: number; bodies: Array<{ id: string }> }> = [];
    player.on('delta', (d) => deltas.push(d));
    expect(
      await player.timeout(30_000).emitWithAck('world:join', { worldId: WORLD }),
    ).toMatchObject({ ok: true, playerId: 'alice' });
    stream = spectate(new URL(`/api/worlds/${WORLD}/stream`, web).href);
    await until(
      'a delta on the spectator stream',
      () => stream!.events.some((e) => e.event === 'delta'),
      30_000,
    );
    const bots = [1, 2].map((n) => playerBodyId(`bot-${WORLD}-${n}`));
    const playersOf = (snap: { bodies: Array<{ id: string }> }) =>
      snap.bodies
        .map((b) => b.id)
        .filter((id) => id.startsWith(playerBodyId('')))
        .sort();
    const players = await until(
      'the bots and alice in the world',
      async () => {
        const ids = playersOf(await snapshot());
        return [...bots, playerBodyId('alice')].every((id) => ids.includes(id)) && ids;
      },
      30_000,
    );
    const tickAtStop = (await snapshot()).tick as number;

    // Stop it through the API, as the page's button does.
    const stopped = await api(`/api/replicas/${from}/stop`, { method: 'POST' });
    expect(stopped).toMatchObject({
      status: 200,
      body: {
        replica: { id: from, state: 'stopped', address: null },
        left: expect.arrayContaining([WORLD]),
      },
    });
    const seenAtStop = { deltas: deltas.length, stream: stream.events.length };

    // The other replica takes the world over: its lease, a new epoch, and the replica's worlds.
    const after = await until(
      `${WORLD} on ${to}`,
      async () => {
        const placement = await placementOf();
        return placement?.replica === to && placement.state === 'Running' && placement;
      },
      30_000,
    );
    expect(after.epoch).toBeGreaterThan(before.placement.epoch);
    const replicas: Replica[] = (await worlds()).replicas;
    expect(replicas.find((r) => r.id === from)).toMatchObject({ state: 'stopped', worlds: [] });
    expect(replicas.find((r) => r.id === to)).toMatchObject({ state: 'running' });
    expect(after.address).toBe(replicas.find((r) => r.id === to)?.address);
    await until(
      `${to} to run ${WORLD}`,
      async () =>
        (await worlds()).replicas.find((r: Replica) => r.id === to).worlds.includes(WORLD),
      30_000,
    );

    // It goes on there: its tick advances past where it was, with the same players.
    const first = await until(
      'a snapshot from the new replica',
      async () => {
        const { status, body } = await api(`/api/worlds/${WORLD}/snapshot`);
        return status === 200 && body;
      },
      30_000,
    );
    expect(playersOf(first)).toEqual(players);
    const later = await until(
      'the tick to advance on the new replica',
      async () => {
        const snap = await snapshot();
        return snap.tick > Math.max(first.tick, tickAtStop) + 30 && snap;
      },
      30_000,
    );
    expect(playersOf(later)).toEqual(players);

    // Alice plays on: a command is acknowledged (retried while the world was between
    // replicas), and the gateway and the spectator stream keep sending deltas.
    let seq = 0;
    const ack = await until(
      "alice's move acknowledged on the new replica",
      async () => {
        const answer = await player!
          .timeout(10_000)
          .emitWithAck('cmd', { seq: ++seq, worldId: WORLD, type: 'move', dx: 2 });
        return answer.ok && answer;
      },
      30_000,
    );
    expect(ack.tick).toBeGreaterThan(tickAtStop);
    await until(
      'gateway deltas after the move',
      () => deltas.slice(seenAtStop.deltas).some((d) => d.tick > ack.tick),
      30_000,
    );
    await until(
      'spectator deltas after the move',
      () =>
        stream!.events
          .slice(seenAtStop.stream)
          .some((e) => e.event === 'delta' && e.data.tick > ack.tick),
      30_000,
    );
    // The API's players are the same, and the bots still play.
    const world = (await worlds()).worlds.find((w: any) => w.id === WORLD);
    expect(world.players).toEqual(
      expect.arrayContaining(['alice', `bot-${WORLD}-1`, `bot-${WORLD}-2`]),
    );
    await until(
      'the bots to be acknowledged on the new replica',
      async () => {
        const acked = (await worlds()).worlds
          .find((w: any) => w.id === WORLD)
          .bots.map((b: any) => b.acked);
        return acked.every((n: number, i: number) => n > world.bots[i].acked);
      },
      30_000,
    );
  });

  it('refuses to stop the last running replica, and starts the stopped one again', async () => {
    const data = await worlds();
    const running = data.replicas.filter((r: Replica) => r.state === 'running');
    const stopped = data.replicas.filter((r: Replica) => r.state === 'stopped');
    expect([running.length, stopped.length]).toEqual([1, 1]);
    await expect(api(`/api/replicas/${running[0].id}/stop`, { method: 'POST' })).resolves.toEqual({
      status: 409,
      body: {
        error: 'LAST_REPLICA',
        message: expect.stringContaining(
          `${running[0].id} is the only running replica of physics-rapier`,
        ),
      },
    });
    await expect(
      api(`/api/replicas/${stopped[0].id}/stop`, { method: 'POST' }),
    ).resolves.toMatchObject({
      status: 409,
      body: { error: 'REPLICA_NOT_RUNNING' },
    });
    await expect(
      api('/api/replicas/physics-rapier-9/stop', { method: 'POST' }),
    ).resolves.toMatchObject({
      status: 404,
      body: { error: 'REPLICA_NOT_FOUND' },
    });
    const started = await api(`/api/replicas/${stopped[0].id}/start`, { method: 'POST' });
    expect(started).toMatchObject({
      status: 200,
      body: { replica: { id: stopped[0].id, state: 'running' } },
    });
    expect(started.body.replica.address).toMatch(/^127\.0\.0\.1:\d+$/);
    // The world stays where it is (nothing moves it back), and keeps running.
    expect((await placementOf())?.replica).toBe(running[0].id);
    expect(printed.join('\n')).not.toMatch(/web: .* failed|unexpected:|INTERNAL/);
  });
});

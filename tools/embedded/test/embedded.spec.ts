// `npm start` end to end: runs tools/embedded/start.cjs as a child process (free ports, its own
// data and manifests folders), then checks what a person and a client see: the page, the JSON
// API (bindings equal resolve() of the same YAML, status and registry rows as the controller
// computes them), worlds started lazily by the first join, a real socket.io player through the
// gateway (join, deltas, a move and its ack), live reload of the folder, and a clean Ctrl-C.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type { Socket } from 'socket.io-client';
import {
  resolve,
  type GameDefinition,
  type ModuleManifest,
  type WorldInstance,
} from '@anvil/capability-model';
import { computeWorldStatus } from '@anvil/control-plane';
import { EngineClient, isUnknownWorldError, playerBodyId } from '@anvil/engine-contract';
// The gateway's test helper that runs docs/client-protocol.md's client (not in its package).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { runDocExample } from '../../../apps/gateway/src/testing/doc-example';
import { chaseAndTag, connectPlayer as connect } from './tag-players';
import {
  EXAMPLES,
  ROOT,
  copyExamples,
  startHost,
  stopHost,
  until,
  webUrl,
  type Host,
} from './host';

jest.setTimeout(300_000);

// The YAML 2 parser the CLI and the host use (the root node_modules has an older one).
const { parseAllDocuments } = createRequire(path.join(ROOT, 'apps', 'cli', 'package.json'))(
  'yaml',
) as {
  parseAllDocuments(text: string): Array<{ toJS(): unknown }>;
};

/** The objects of a folder of YAML, as the host reads them (all valid here). */
function readObjects(dir: string): Array<{ kind: string }> {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map(
        (d) => d.toJS() as { kind: string },
      ),
    )
    .filter(Boolean);
}

const getJson = async (url: string) => {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as any;
};

describe('npm start (embedded host)', () => {
  let dataDir: string;
  let manifests: string;
  let host: Host;
  let web: string;
  let token: string;
  let socket: Socket | undefined;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-embedded-data-'));
    manifests = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-embedded-manifests-'));
    copyExamples(manifests);
    // One invalid object and one broken document: reported, skipped, the rest runs.
    fs.writeFileSync(
      path.join(manifests, 'zz-bad.yaml'),
      [
        'apiVersion: anvil.dev/v1alpha1',
        'kind: ModuleManifest',
        'metadata: { name: broken-1.0.0 }',
        'spec:',
        '  module: broken',
        '  version: not-a-version',
        '  image: example/broken:1',
        '  endpoint: { port: 50070, protocol: grpc }',
        '  provides: []',
        '---',
        'kind: [unclosed',
        '',
      ].join('\n'),
    );
    host = startHost([
      '--port',
      '0',
      '--free-ports',
      '--bots',
      '1',
      '--data',
      dataDir,
      '--manifests',
      manifests,
    ]);
    web = await webUrl(host, 280_000);
    token = await until(
      'the printed player token',
      () => /player player-1: (\S+)/.exec(host.output())?.[1],
      10_000,
      host,
    );
  }, 300_000);

  afterAll(async () => {
    socket?.close();
    if (host && host.child.exitCode === null) {
      host.child.kill('SIGKILL');
      await host.exited;
    }
    for (const dir of [dataDir, manifests])
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports the invalid object with file, object and field, and keeps going', () => {
    expect(host.output()).toMatch(
      /zz-bad\.yaml:1: ModuleManifest\/broken-1\.0\.0: spec\.version: /,
    );
    expect(host.output()).toMatch(/zz-bad\.yaml:\d+: invalid YAML/);
  });

  it('leaves the CLI built: `npx anvil validate` works as the banner says', () => {
    expect(host.output()).toMatch(/cli +npx anvil validate -f /);
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, 'apps', 'cli', 'bin', 'anvil.cjs'), 'validate', '-f', EXAMPLES],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stderr).not.toMatch(/not built/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/valid/);
  });

  it('serves the live view page and the socket.io browser client', async () => {
    const page = await fetch(web);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<canvas');
    expect(html).toContain('/socket.io.min.js');
    const client = await fetch(new URL('/socket.io.min.js', web));
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(new URL('/app.js', web))).status).toBe(200);
  });

  it('shows each world with the bindings resolve() computes, Ready on its engines', async () => {
    const objects = readObjects(EXAMPLES) as Array<{ kind: string; metadata: { name: string } }>;
    const named = (kind: string, name: string) =>
      objects.find((o) => o.kind === kind && o.metadata.name === name);
    const world = named('WorldInstance', 'arena-eu-1') as unknown as WorldInstance;
    const game = named('GameDefinition', 'arena') as unknown as GameDefinition;
    const manifestsList = objects.filter(
      (o) => o.kind === 'ModuleManifest',
    ) as unknown as ModuleManifest[];
    const expected = resolve(world, game, manifestsList);
    const data = await until(
      'arena-eu-1 Ready',
      async () => {
        const d = await getJson(new URL('/api/worlds', web).href);
        return d.worlds.find((w: any) => w.id === 'arena-eu-1')?.status.phase === 'Ready' && d;
      },
      120_000,
      host,
    );
    const arena = data.worlds.find((w: any) => w.id === 'arena-eu-1');
    expect(arena.bindings).toEqual(JSON.parse(JSON.stringify(expected.bindings)));
    expect(arena.status.diagnostics).toEqual(JSON.parse(JSON.stringify(expected.diagnostics)));
    expect(arena.status.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual([
      'Resolved=True',
      'Ready=True',
    ]);
    // The engines are the binding's providers, each wired to the other's actual address.
    const physics = data.engines.find((e: any) => e.app === 'physics-engine');
    const interaction = data.engines.find((e: any) => e.app === 'interaction-engine');
    expect(physics).toMatchObject({
      module: 'physics-rapier',
      version: '1.3.0',
      endpointPort: 50051,
    });
    expect(interaction).toMatchObject({ module: 'interaction-engine', endpointPort: 50052 });
    expect(interaction.env.PHYSICS_ENGINE_ADDRESS).toBe(physics.address);
    // The second game runs on its own module, on the same physics engine.
    const tag = data.engines.find((e: any) => e.app === 'tag-game');
    expect(tag).toMatchObject({ module: 'tag-game', endpointPort: 50053, worlds: ['tag-eu-1'] });
    expect(tag.env.PHYSICS_ENGINE_ADDRESS).toBe(physics.address);
    expect(physics.worlds).toEqual(['arena-eu-1', 'tag-eu-1']);
    expect(interaction.worlds).toEqual(['arena-eu-1']);
    // Both games bind the one analytics module, which runs here too.
    expect(data.sinks).toEqual([
      expect.objectContaining({
        app: 'analytics',
        module: 'analytics-kafka',
        endpointPort: 8090,
        worlds: ['arena-eu-1', 'tag-eu-1'],
      }),
    ]);
    expect(data.problems.map((p: any) => p.field)).toEqual(
      expect.arrayContaining(['spec.version']),
    );
    expect(data.gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The status is the controller's (same reasons); the world starts at the bot's join.
    const status = computeWorldStatus(world, expected, undefined, new Date());
    expect(arena.status.conditions.map((c: any) => c.reason)).toEqual(
      status.conditions!.map((c) => c.reason),
    );
    await until(
      'the bot to join, starting the world',
      async () => {
        const w = (await getJson(new URL('/api/worlds', web).href)).worlds[0];
        return w.bots[0]?.joined && w.started;
      },
      60_000,
      host,
    );
  });

  it('lets a socket.io player with the printed token join, see deltas, move and get acks', async () => {
    const { gateway } = await getJson(new URL('/api/worlds', web).href);
    const s = await connect(gateway.url, token);
    socket = s;
    const deltas: Array<{ tick: number; bodies: Array<{ id: string; vx: number }> }> = [];
    s.on('delta', (d) => deltas.push(d));
    const joined = await s.timeout(30_000).emitWithAck('world:join', { worldId: 'arena-eu-1' });
    expect(joined).toMatchObject({
      ok: true,
      worldId: 'arena-eu-1',
      playerId: 'player-1',
      bodyId: playerBodyId('player-1'),
    });
    expect(joined.bodies.some((b: { id: string }) => b.id.startsWith('crate-'))).toBe(true);
    await until('deltas', () => deltas.length > 0, 60_000, host);
    const ack = await s
      .timeout(30_000)
      .emitWithAck('cmd', { seq: 1, worldId: 'arena-eu-1', type: 'move', dx: 1.5 });
    expect(ack).toEqual({ ok: true, seq: 1, tick: expect.any(Number) });
    await until(
      'a delta showing the move',
      () =>
        deltas.some(
          (d) =>
            d.tick >= ack.tick &&
            d.bodies.some((b) => b.id === playerBodyId('player-1') && b.vx > 1000),
        ),
      60_000,
      host,
    );
    const replay = await s
      .timeout(30_000)
      .emitWithAck('cmd', { seq: 1, worldId: 'arena-eu-1', type: 'jump' });
    expect(replay).toMatchObject({ ok: false, code: 'SEQ_REPLAYED' });
  });

  it('streams the world to spectators: a snapshot, then deltas', async () => {
    const res = await fetch(new URL('/api/worlds/arena-eu-1/stream', web));
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    await until(
      'snapshot and delta events',
      async () => {
        const { value } = await reader.read();
        text += Buffer.from(value ?? new Uint8Array()).toString();
        return /event: snapshot\n/.test(text) && /event: delta\n/.test(text);
      },
      60_000,
      host,
    );
    await reader.cancel();
    const snapshot = JSON.parse(/event: snapshot\ndata: (.*)\n/.exec(text)![1]);
    expect(snapshot).toMatchObject({ worldId: 'arena-eu-1', tick: expect.any(Number) });
    expect(snapshot.bodies.find((b: any) => b.id === playerBodyId('player-1'))).toMatchObject({
      shape: 'ball',
      kind: 'dynamic',
    });
  });

  it('runs the tag game through the same gateway: a tag passes between two players, and its state reaches them', async () => {
    const { gateway } = await getJson(new URL('/api/worlds', web).href);
    const tokenOf = async (player: string) =>
      (await getJson(new URL(`/api/token?player=${player}`, web).href)).token as string;
    const [it, runner] = [
      await connect(gateway.url, await tokenOf('tagger')),
      await connect(gateway.url, await tokenOf('runner')),
    ];
    const states: Array<{ module: string; state: { it: string; scores: Record<string, number> } }> =
      [];
    runner.on('world:state', (s) => states.push(s));
    try {
      const join = (s: Socket) =>
        s.timeout(30_000).emitWithAck('world:join', { worldId: 'tag-eu-1' });
      const first = await join(it);
      expect(first).toMatchObject({ ok: true, worldId: 'tag-eu-1' });
      const second = await join(runner);
      // The gateway passes on the game's own state: the first player is "it".
      expect(second.gameState).toMatchObject({
        module: 'tag-game',
        state: { it: 'tagger', scores: { tagger: 0, runner: 0 } },
      });
      // A tag from afar, or by a player who is not "it", is refused with its code.
      const far = await runner
        .timeout(10_000)
        .emitWithAck('cmd', { seq: 1, worldId: 'tag-eu-1', type: 'interact', targetId: 'tagger' });
      expect(far).toMatchObject({ ok: false, engineCode: 'FAILED_PRECONDITION' });
      // "it" walks up to the runner and tags it.
      const tagged = await chaseAndTag(it, 'tagger', 'runner', host);
      expect(tagged).toMatchObject({ ok: true, tick: expect.any(Number) });
      await until(
        'the new state at the runner',
        () => states.some((s) => s.state.it === 'runner' && s.state.scores.tagger === 1),
        20_000,
        host,
      );
      expect(states.at(-1)).toMatchObject({ module: 'tag-game', state: { it: 'runner' } });
      // The analytics module counted the tag world's players, as it does the arena's.
      const figures = await until(
        'the tag world in the analytics figures',
        async () => {
          const res = await fetch(new URL('/api/worlds/tag-eu-1/figures', web));
          const body = (await res.json()) as any;
          return res.ok && body.totals.joins >= 2 && body;
        },
        30_000,
        host,
      );
      expect(figures.players.now).toBeGreaterThanOrEqual(2);
    } finally {
      it.close();
      runner.close();
    }
  });

  it('picks up a new world from the folder and runs it on the same engines', async () => {
    fs.writeFileSync(
      path.join(manifests, 'world-2.yaml'),
      'apiVersion: anvil.dev/v1alpha1\nkind: WorldInstance\nmetadata: { name: arena-us-1 }\nspec: { gameRef: arena, region: us-east, shards: 1 }\n',
    );
    await until(
      'the change to be printed',
      () => /world arena-us-1: new \(phase Ready\)/.test(host.output()),
      120_000,
      host,
    );
    const data = await getJson(new URL('/api/worlds', web).href);
    expect(data.worlds.map((w: any) => [w.id, w.status.phase])).toEqual([
      ['arena-eu-1', 'Ready'],
      ['arena-us-1', 'Ready'],
      ['tag-eu-1', 'Ready'],
    ]);
    const joined = await socket!
      .timeout(30_000)
      .emitWithAck('world:join', { worldId: 'arena-us-1' });
    expect(joined).toMatchObject({ ok: true, worldId: 'arena-us-1' });
  });

  it('closes a world removed from the folder on its engines', async () => {
    const { engines } = await getJson(new URL('/api/worlds', web).href);
    const physics = engines.find((e: any) => e.app === 'physics-engine');
    const client = new EngineClient(physics.address, {
      deadlineMs: 5_000,
      access: {
        token: fs.readFileSync(path.join(dataDir, 'dev-engine-token'), 'utf8').trim(),
        caller: 'embedded-test',
      },
    });
    try {
      await expect(client.snapshot({ worldId: 'arena-us-1' })).resolves.toMatchObject({
        worldId: 'arena-us-1',
      });
      fs.rmSync(path.join(manifests, 'world-2.yaml'));
      await until(
        'the removal to be printed',
        () =>
          /world arena-us-1: removed from the folder .*closed on its engines/.test(host.output()),
        120_000,
        host,
      );
      const error = await client.snapshot({ worldId: 'arena-us-1' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isUnknownWorldError(error)).toBe(true);
    } finally {
      client.close();
    }
  });

  it('moves the world to the other physics module when the selection changes, and it stays playable', async () => {
    const file = path.join(manifests, 'game.yaml');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace(
          'physics-rapier, versionConstraint: ^1.0.0',
          'physics-rapier, versionConstraint: ^2.0.0',
        ),
    );
    await until(
      'the provider change',
      () => /PHYSICS PROVIDER CHANGED: physics-rapier .* → physics-legacy/.test(host.output()),
      120_000,
      host,
    );
    // physics-legacy is an older build of the same engine app: another process, on its own port.
    const data = await until(
      'arena-eu-1 Ready on physics-legacy',
      async () => {
        const d = await getJson(new URL('/api/worlds', web).href);
        const a = d.worlds.find((w: any) => w.id === 'arena-eu-1');
        return (
          a?.status.phase === 'Ready' &&
          a.engines.some((e: any) => e.module === 'physics-legacy') &&
          d
        );
      },
      120_000,
      host,
    );
    const arena = data.worlds.find((w: any) => w.id === 'arena-eu-1');
    expect(arena.bindings.find((b: any) => b.capabilityId === 'physics.simulation').provider).toBe(
      'physics-legacy',
    );
    const legacy = data.engines.find((e: any) => e.module === 'physics-legacy');
    const rapier = data.engines.find((e: any) => e.module === 'physics-rapier');
    expect(legacy).toMatchObject({
      app: 'physics-engine',
      endpointPort: 50054,
      worlds: ['arena-eu-1'],
    });
    // The tag game's selection did not change: it stays on physics-rapier.
    expect(rapier.worlds).toEqual(['tag-eu-1']);
    const interaction = data.engines.find((e: any) => e.module === 'interaction-engine');
    expect(interaction.env.PHYSICS_ENGINE_ADDRESS).toBe(legacy.address);
    // The gateway (restarted with the data plane, same URL) lets players in, now on physics-legacy.
    socket?.close();
    const s = await until(
      'a connection to the restarted gateway',
      () => connect(data.gateway.url, token).catch(() => undefined),
      60_000,
      host,
    );
    socket = s;
    await expect(
      s.timeout(30_000).emitWithAck('world:join', { worldId: 'arena-eu-1' }),
    ).resolves.toMatchObject({ ok: true, worldId: 'arena-eu-1' });
  });

  it('stops everything on SIGINT and exits 0', async () => {
    socket?.close();
    host.child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      host.exited,
      new Promise((r) => (timer = setTimeout(() => r('timeout'), 60_000))),
    ]);
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(host.output()).toContain('Stopped.');
    expect(fs.existsSync(path.join(dataDir, 'host.pid'))).toBe(false);
  });
});

describe('npm start again on the same data folder', () => {
  let dataDir: string;
  let host: Host | undefined;
  let socket: Socket | undefined;
  const start = () =>
    startHost([
      '--port',
      '0',
      '--free-ports',
      '--no-build',
      '--no-watch',
      '--bots',
      '1',
      '--props',
      '4',
      '--checkpoint-ticks',
      '15',
      '--data',
      dataDir,
    ]);
  const worlds = async (web: string) => getJson(new URL('/api/worlds', web).href);
  const ready = (web: string, h: Host) =>
    until(
      'arena-eu-1 Ready',
      async () => {
        const data = await worlds(web);
        return (
          data.worlds.find((w: any) => w.id === 'arena-eu-1')?.status.phase === 'Ready' && data
        );
      },
      120_000,
      h,
    );
  const tokenFor = async (web: string, player: string) =>
    (await getJson(new URL(`/api/token?player=${player}`, web).href)).token as string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-embedded-restart-'));
  });

  afterAll(async () => {
    socket?.close();
    await stopHost(host);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('continues every world from its checkpoint: Ready, joinable, its props and bots kept', async () => {
    host = start();
    let web = await webUrl(host, 120_000);
    let data = await ready(web, host);
    socket = await connect(data.gateway.url, await tokenFor(web, 'alice'));
    const joined = await socket
      .timeout(30_000)
      .emitWithAck('world:join', { worldId: 'arena-eu-1' });
    expect(joined).toMatchObject({ ok: true });
    const ack = await socket
      .timeout(30_000)
      .emitWithAck('cmd', { seq: 1, worldId: 'arena-eu-1', type: 'move', dx: 2 });
    expect(ack).toMatchObject({ ok: true });
    // Two checkpoint intervals after the move, at least one checkpoint holds alice's body.
    const snapshotTick = async () =>
      (await getJson(new URL('/api/worlds/arena-eu-1/snapshot', web).href)).tick as number;
    await until(
      'two checkpoints after the move',
      async () => (await snapshotTick()) > ack.tick + 30,
      60_000,
      host,
    );
    socket.close();
    socket = undefined;
    await stopHost(host);
    expect(host.child.exitCode).toBe(0);

    host = start();
    web = await webUrl(host, 120_000);
    data = await ready(web, host);
    // Lazily, as in a cluster: the bot's join starts the world, which continues from its checkpoint.
    const h = host;
    const continued = await until(
      'the world to continue from its checkpoint',
      () => /world arena-eu-1: continued from its checkpoint at tick (\d+)/.exec(h.output()),
      60_000,
      h,
    );
    expect(Number(continued?.[1])).toBeGreaterThan(ack.tick);
    expect(host.output()).not.toMatch(/already exists/);
    socket = await connect(data.gateway.url, await tokenFor(web, 'bob'));
    const again = await socket.timeout(30_000).emitWithAck('world:join', { worldId: 'arena-eu-1' });
    expect(again).toMatchObject({ ok: true, worldId: 'arena-eu-1', bodyId: playerBodyId('bob') });
    expect(again.tick).toBeGreaterThanOrEqual(Number(continued?.[1]));
    const ids = (again.bodies as Array<{ id: string }>).map((b) => b.id);
    expect(ids.filter((id) => id === 'crate-1')).toHaveLength(1);
    // The bot rejoined under its name and took its body back from the checkpoint.
    expect(ids.filter((id) => id === playerBodyId('bot-arena-eu-1-1'))).toHaveLength(1);
  });

  it('runs the minimal client of docs/client-protocol.md as written against it', async () => {
    const web = await webUrl(host!, 10_000);
    const { gateway } = await worlds(web);
    const result = await runDocExample(
      { GATEWAY_URL: gateway.url, TOKEN: await tokenFor(web, 'doc-reader') },
      120_000,
    );
    expect(result.output).toMatch(/joined arena-eu-1 at tick \d+/);
    // Props and bots bump into it, so only that a delta shows it moving is certain.
    expect(result.output).toMatch(
      /move #1 applies at tick \d+\ntick \d+: our body moves at -?\d+ mm\/s/,
    );
    expect(result.code).toBe(0);
  });
});

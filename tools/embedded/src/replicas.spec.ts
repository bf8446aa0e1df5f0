// A physics module's replicas with stand-in engines (each a TCP server that says its name): the
// environment each replica gets, the Service proxy in front of them (new connections go to a
// running replica; a stopped replica's connections are ended), and the refusals of Stop/Start.
import * as net from 'node:net';
import type { EngineClient } from '@anvil/engine-contract';
import type { RunningPhysicsEngine } from '@anvil/physics-engine';
import { ApiError } from './http';
import { ReplicaSet, replicaId } from './replicas';
import type { EngineSpec } from './wiring';

const spec: EngineSpec = {
  port: 50051,
  app: 'physics-engine',
  module: 'physics-rapier',
  version: '1.3.0',
  manifestName: 'physics-rapier-1.3.0',
  image: 'ghcr.io/anvil-dev/physics-engine:1.3.0',
  deps: {},
  env: {},
  worlds: ['arena', 'tag'],
};

/** A stand-in engine: a TCP server answering its REPLICA_ID, running the worlds in `worlds`. */
async function fakeEngine(env: Record<string, string>, worlds: Set<string>) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.end(env.REPLICA_ID);
  });
  await new Promise<void>((ok) => server.listen(Number(env.GRPC_PORT), '127.0.0.1', ok));
  const port = (server.address() as net.AddressInfo).port;
  let closed = false;
  const engine = {
    port,
    address: `127.0.0.1:${port}`,
    worlds: {
      get: (id: string) => {
        if (closed || !worlds.has(id)) throw new Error(`unknown world ${id}`);
        return {};
      },
    },
    close: async () => {
      closed = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
  return engine as unknown as RunningPhysicsEngine;
}

/** What a connection to `address` reads before it ends. */
function hello(address: string): Promise<string> {
  const colon = address.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const s = net.connect({
      host: address.slice(0, colon),
      port: Number(address.slice(colon + 1)),
    });
    let text = '';
    s.on('data', (d) => (text += d.toString()));
    s.on('close', () => resolve(text));
    s.on('error', reject);
  });
}

async function refusal(action: Promise<unknown>) {
  const error = await action.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  const { status, code, message } = error as ApiError;
  return { status, code, message };
}

describe('ReplicaSet', () => {
  /** Worlds each replica index runs (the ownership code decides this in a real engine). */
  const runs = [new Set(['arena', 'tag']), new Set<string>()];
  const envs: Array<Record<string, string>> = [];
  const clients: string[] = [];
  const logged: string[] = [];
  let set: ReplicaSet;

  const start = (count: number, base: Record<string, string>) =>
    ReplicaSet.start({
      spec,
      count,
      env: base,
      start: (env) => {
        envs.push(env);
        return fakeEngine(env, runs[Number(env.REPLICA_ID.slice(-1))] ?? new Set());
      },
      client: (address) => {
        clients.push(address);
        return { address, close: () => undefined } as unknown as EngineClient;
      },
      log: (line) => logged.push(line),
    });

  afterAll(() => set?.close());

  it('starts each replica with its own REPLICA_ID and free port, behind a proxy on the endpoint port', async () => {
    set = await start(2, { GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', TICK_HZ: '30' });
    expect(envs).toEqual([
      { GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', TICK_HZ: '30', REPLICA_ID: 'physics-rapier-0' },
      { GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', TICK_HZ: '30', REPLICA_ID: 'physics-rapier-1' },
    ]);
    expect(set.ids()).toEqual(['physics-rapier-0', 'physics-rapier-1']);
    const [r0, r1] = set.list(['arena', 'tag', 'other']);
    expect(r0).toMatchObject({
      id: 'physics-rapier-0',
      state: 'running',
      module: 'physics-rapier',
      endpointPort: 50051,
      worlds: ['arena', 'tag'],
    });
    expect(r1).toMatchObject({ id: 'physics-rapier-1', state: 'running', worlds: [] });
    // Callers are given the proxy; it hands connections to the first running replica.
    expect(set.address).not.toBe(r0.address);
    expect(await hello(set.address)).toBe('physics-rapier-0');
    // The host's own calls for a world go to the replica running it.
    expect((set.clientFor('arena') as unknown as { address: string }).address).toBe(r0.address);
    expect(set.clientFor('other')).toBeUndefined();
  });

  it('stops a replica: its worlds are left to the others, the proxy hands new connections to them', async () => {
    const stopped = await set.stop('physics-rapier-0', ['arena', 'tag']);
    expect(stopped).toMatchObject({
      replica: { id: 'physics-rapier-0', state: 'stopped', address: null, worlds: [] },
      left: ['arena', 'tag'],
    });
    expect(logged.at(-1)).toMatch(
      /stopped physics replica physics-rapier-0: its worlds arena, tag/,
    );
    expect(await hello(set.address)).toBe('physics-rapier-1');
    // Until another replica takes them, no replica runs them.
    expect(set.clientFor('arena')).toBeUndefined();
    runs[1].add('arena');
    expect(set.list(['arena'])[1].worlds).toEqual(['arena']);
  });

  it('refuses what it cannot do, with a status, a code and a message', async () => {
    await expect(refusal(set.stop('physics-rapier-1', []))).resolves.toEqual({
      status: 409,
      code: 'LAST_REPLICA',
      message: expect.stringMatching(
        /physics-rapier-1 is the only running replica of physics-rapier: its worlds would have nowhere to go\. Start another replica first\./,
      ),
    });
    await expect(refusal(set.stop('physics-rapier-0', []))).resolves.toMatchObject({
      status: 409,
      code: 'REPLICA_NOT_RUNNING',
    });
    await expect(refusal(set.start('physics-rapier-1', []))).resolves.toMatchObject({
      status: 409,
      code: 'REPLICA_RUNNING',
    });
    await expect(refusal(set.stop('physics-rapier-7', []))).resolves.toMatchObject({
      status: 404,
      code: 'REPLICA_NOT_FOUND',
    });
  });

  it('starts a stopped replica again, on a new port', async () => {
    const before = envs.length;
    const started = await set.start('physics-rapier-0', []);
    expect(started.replica).toMatchObject({ id: 'physics-rapier-0', state: 'running' });
    expect(envs[before]).toMatchObject({ REPLICA_ID: 'physics-rapier-0', GRPC_PORT: '0' });
    expect(await hello(set.address)).toBe('physics-rapier-0');
    // Both run: either can be stopped now.
    await expect(set.stop('physics-rapier-1', [])).resolves.toMatchObject({
      replica: { state: 'stopped' },
    });
  });

  it('closes every replica and the proxy, and refuses actions after', async () => {
    const address = set.address;
    await set.close();
    await expect(hello(address)).rejects.toThrow(/ECONNREFUSED/);
    await expect(refusal(set.start('physics-rapier-1', []))).resolves.toMatchObject({
      status: 503,
      code: 'DATA_PLANE_NOT_RUNNING',
    });
  });

  it('with one replica: no proxy, the engine on the endpoint port itself, and it cannot be stopped', async () => {
    envs.length = 0;
    const one = await start(1, { GRPC_HOST: '127.0.0.1', GRPC_PORT: '0' });
    try {
      expect(envs).toEqual([
        { GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', REPLICA_ID: 'physics-rapier-0' },
      ]);
      expect(one.address).toBe(one.list([])[0].address);
      await expect(refusal(one.stop('physics-rapier-0', []))).resolves.toEqual({
        status: 409,
        code: 'LAST_REPLICA',
        message: expect.stringMatching(/Start the host with --replicas 2 \(up to 4\)/),
      });
    } finally {
      await one.close();
    }
  });

  it('names replicas after their module', () => {
    expect(replicaId('physics-legacy', 3)).toBe('physics-legacy-3');
  });
});

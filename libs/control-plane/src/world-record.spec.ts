import type { WorldInstance } from '@anvil/capability-model';
import { staleRecords, worldIdOfKey, worldRecord, type RecordedBinding } from './world-record';

const world = (namespace: string): WorldInstance => ({
  apiVersion: 'anvil.dev/v1alpha1',
  kind: 'WorldInstance',
  metadata: { name: 'arena-eu-1', namespace },
  spec: { gameRef: 'arena', region: 'eu-west', shards: 2 },
});

const binding = (namespace: string, host?: string): RecordedBinding => ({
  metadata: { namespace },
  spec: {
    worldRef: 'arena-eu-1',
    consumer: { module: 'interaction-engine', version: '1.0.0' },
    provider: {
      module: 'physics-rapier',
      version: '1.3.0',
      endpoint: { port: 50051, protocol: 'grpc', ...(host ? { host } : {}) },
    },
    capabilityId: 'physics.simulation',
    capabilityVersion: '1.3.0',
    scope: 'world',
    multiplicity: '1',
    rank: 0,
  },
});

describe('worldRecord', () => {
  it("carries the world's data-plane id, phase and provider addresses", () => {
    expect(worldRecord(world('games'), 'Ready', [binding('games')])).toEqual({
      id: 'games:arena-eu-1',
      namespace: 'games',
      name: 'arena-eu-1',
      game: 'arena',
      region: 'eu-west',
      shards: 2,
      phase: 'Ready',
      bindings: [
        {
          capabilityId: 'physics.simulation',
          consumer: 'interaction-engine',
          provider: 'physics-rapier',
          address: 'physics-rapier.games.svc:50051',
          shard: null,
        },
      ],
    });
  });

  it("uses the manifest's host when it names one, and the bare name in default", () => {
    const record = worldRecord(world('default'), 'Resolved', [binding('default', '127.0.0.1')]);
    expect(record.id).toBe('arena-eu-1');
    expect(record.bindings[0].address).toBe('127.0.0.1:50051');
  });

  it("ends with the gateway's entry binding when the world has one", () => {
    const entry = {
      capabilityId: 'game.interaction',
      consumer: 'gateway',
      provider: 'tag-game',
      address: 'tag-game.games.svc:50053',
      shard: null,
    };
    const record = worldRecord(world('games'), 'Ready', [binding('games')], entry);
    expect(record.bindings.map((b) => b.consumer)).toEqual(['interaction-engine', 'gateway']);
    expect(record.bindings[1]).toEqual(entry);
  });
});

describe('worldIdOfKey', () => {
  it('maps a namespace/name key to the id worldRecord gives', () => {
    expect(worldIdOfKey('games/arena-eu-1')).toBe('games:arena-eu-1');
    expect(worldIdOfKey('default/arena-eu-1')).toBe('arena-eu-1');
  });
});

describe('staleRecords', () => {
  it("names this controller's records whose world is gone, and nothing it did not write", () => {
    const records = [
      { id: 'games:alive', phase: 'Ready' },
      { id: 'games:deleted', phase: 'Ready' },
      { id: 'games:deleted-unresolved', phase: 'Unresolved' },
      // a row the physics engine made for checkpoints of a world it was never told about
      { id: 'adhoc', phase: 'Running' },
    ];
    expect(staleRecords(records, new Set(['games:alive']))).toEqual([
      'games:deleted',
      'games:deleted-unresolved',
    ]);
  });
});

import fc from 'fast-check';
import type { ModuleManifest, Participant } from './types';
import { ENTRY_CAPABILITY, GATEWAY_CONSUMER, entryBinding } from './entry-binding';

const manifest = (
  module: string,
  capabilityVersion: string,
  port: number,
  capabilityId = ENTRY_CAPABILITY,
): ModuleManifest => ({
  apiVersion: 'anvil.dev/v1alpha1',
  kind: 'ModuleManifest',
  metadata: { name: `${module}-1.0.0` },
  spec: {
    module,
    version: '1.0.0',
    image: `ghcr.io/anvil-dev/${module}:1.0.0`,
    endpoint: { port, protocol: 'grpc' },
    provides: [{ capabilityId, version: capabilityVersion, scope: 'world' }],
    requires: [],
  },
});
const participant = (m: ModuleManifest): Participant => ({
  module: m.spec.module,
  version: m.spec.version,
  manifestName: m.metadata.name,
});

const tag = manifest('tag-game', '1.0.0', 50053);
const arena = manifest('interaction-engine', '1.0.0', 50052);
const physics = manifest('physics-rapier', '1.4.0', 50051, 'physics.simulation');

describe('entryBinding', () => {
  it("names the participant that provides game.interaction, at its Service's address", () => {
    expect(entryBinding([tag, physics].map(participant), [tag, physics], 'games')).toEqual({
      capabilityId: ENTRY_CAPABILITY,
      consumer: GATEWAY_CONSUMER,
      provider: 'tag-game',
      address: 'tag-game.games.svc:50053',
      shard: null,
    });
  });

  it('is null when no participant provides it, or its manifest is missing', () => {
    expect(entryBinding([participant(physics)], [physics], undefined)).toBeNull();
    expect(entryBinding([participant(tag)], [physics], undefined)).toBeNull();
  });

  it('prefers the highest capability version, then the module name, whatever the order', () => {
    const newer = manifest('zz-game', '1.2.0', 50060);
    const all = [tag, arena, newer, physics];
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: all.length }), (shuffled) => {
        const chosen = entryBinding(shuffled.map(participant), shuffled, 'default');
        expect(chosen?.provider).toBe('zz-game');
      }),
    );
    const tie = [tag, arena];
    expect(entryBinding(tie.map(participant), tie, 'default')?.provider).toBe('interaction-engine');
    expect(entryBinding(tie.reverse().map(participant), tie, 'default')?.provider).toBe(
      'interaction-engine',
    );
  });
});

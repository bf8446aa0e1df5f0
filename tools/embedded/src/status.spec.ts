import * as path from 'node:path';
import { REASON } from '@anvil/control-plane';
import { loadFolder } from './folder';
import { planWorlds } from './plans';
import { embeddedRecord } from './registry';
import { WorldStatuses, embeddedOutcome } from './status';
import { computeWiring } from './wiring';
import { ROOT } from './workspace';

const plans = planWorlds(loadFolder(path.join(ROOT, 'deploy', 'examples')).objects);
const arena = plans.find((p) => p.id === 'arena-eu-1')!;
const wiring = computeWiring(plans);

describe('world status in embedded mode', () => {
  it("uses the controller's reasons: Ready=True BindingsReady once the engines run", () => {
    const statuses = new WorldStatuses();
    const w = wiring.worlds.get(arena.id);
    expect(statuses.compute(arena, embeddedOutcome(w, 'starting'))).toMatchObject({
      phase: 'Resolved',
      conditions: [{ reason: REASON.resolved }, { status: 'Unknown', reason: REASON.reconciling }],
    });
    expect(statuses.compute(arena, embeddedOutcome(w, 'running'))).toMatchObject({
      phase: 'Ready',
      conditions: [{ reason: REASON.resolved }, { status: 'True', reason: REASON.bindingsReady }],
    });
    expect(statuses.phaseOf(arena.id)).toBe('Ready');
  });

  it('says ApplyFailed, with the wiring reason, when the world cannot run here', () => {
    const outcome = embeddedOutcome(
      {
        runnable: false,
        reason: 'ProviderNotEmbedded',
        message: 'no app',
        ports: [],
        services: [],
      },
      'running',
    );
    expect(new WorldStatuses().compute(arena, outcome)).toMatchObject({
      phase: 'Resolved',
      conditions: [
        { status: 'True' },
        {
          status: 'False',
          reason: REASON.applyFailed,
          message: 'not run here (ProviderNotEmbedded): no app',
        },
      ],
    });
  });
});

describe('registry rows in embedded mode', () => {
  it("are the controller's rows, with providers running here at their local address", () => {
    const addresses: Record<string, string> = {
      'physics-rapier': '127.0.0.1:41234',
      'interaction-engine': '127.0.0.1:41235',
    };
    const row = embeddedRecord(arena, 'Ready', (_world, module) => addresses[module]);
    const cluster = embeddedRecord(arena, 'Ready', () => undefined);
    expect(row).toMatchObject({ id: 'arena-eu-1', name: 'arena-eu-1', phase: 'Ready' });
    // The CapabilityBindings, then the gateway's entry: the game module, at its local address.
    expect(row.bindings).toHaveLength(arena.resolution.bindings.length + 1);
    expect(row.bindings.at(-1)).toEqual({
      capabilityId: 'game.interaction',
      consumer: 'gateway',
      provider: 'interaction-engine',
      address: '127.0.0.1:41235',
      shard: null,
    });
    const physics = row.bindings.filter((b) => b.capabilityId === 'physics.simulation');
    expect(physics.map((b) => b.address)).toEqual(['127.0.0.1:41234']);
    const others = (r: typeof row) => r.bindings.filter((b) => !addresses[b.provider]);
    expect(others(row)).toEqual(others(cluster));
    expect(cluster.bindings.find((b) => b.provider === 'physics-rapier')?.address).toBe(
      'physics-rapier.default.svc:50051',
    );
  });
});

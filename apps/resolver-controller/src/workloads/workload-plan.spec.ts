import fc from 'fast-check';
import type { CachedBinding } from '../mapping/cluster-cache';
import { exampleSet } from '../testing/fixtures';
import { runningWorkload as state } from '../testing/workloads';
import {
  MODULE_LABEL,
  bindingVersions,
  desiredWorkloads,
  type AppliedObject,
  type ModuleWorkload,
} from './desired-workloads';
import { workloadName } from '../rollout/workload-name';
import { planWorkloads, successorsOf, type WorkloadState } from './workload-plan';

const { manifests } = exampleSet('games');

const bindingTo = (provider: string, version: string) =>
  ({
    metadata: { name: `b-${provider}-${version}`, namespace: 'games' },
    spec: {
      worldRef: 'arena',
      consumer: { module: 'interaction-engine', version: '1.0.0' },
      provider: { module: provider, version, endpoint: { port: 1, protocol: 'grpc' } },
    },
  }) as CachedBinding;

const names = (items: ReadonlyArray<{ name: string }>) => items.map((i) => i.name).sort();

describe('planWorkloads', () => {
  const upgraded: ModuleWorkload[] = desiredWorkloads(
    manifests,
    bindingVersions([bindingTo('physics-rapier', '2.0.0')]),
  );
  const interaction = state('interaction-engine-1-0-0', 'interaction-engine');
  const old = state('physics-rapier-1-3-0', 'physics-rapier');

  it('applies every desired workload and removes what nothing replaces or binds', () => {
    const plan = planWorkloads(upgraded, [interaction, state('analytics-1-0-0', 'analytics')]);
    expect(names(plan.apply)).toEqual(['interaction-engine-1-0-0', 'physics-rapier-2-0-0']);
    expect(names(plan.remove)).toEqual(['analytics-1-0-0']);
    expect(plan.kept).toEqual([]);
  });

  it('keeps an old version while the version replacing it is missing or not Ready', () => {
    for (const next of [
      [],
      [state('physics-rapier-2-0-0', 'physics-rapier', { available: 0, ready: false })],
    ]) {
      const plan = planWorkloads(upgraded, [interaction, old, ...next]);
      expect(plan.remove).toEqual([]);
      expect(plan.kept).toEqual([{ workload: old, waitingFor: [expect.any(Object)] }]);
      expect(plan.kept[0]!.waitingFor[0]!.name).toBe('physics-rapier-2-0-0');
    }
  });

  it('removes the old version once its successor is Ready', () => {
    const next = state('physics-rapier-2-0-0', 'physics-rapier');
    const plan = planWorkloads(upgraded, [interaction, old, next]);
    expect(names(plan.remove)).toEqual(['physics-rapier-1-3-0']);
    expect(plan.kept).toEqual([]);
  });

  it('leaves alone a workload being deleted, and a bound one however unready', () => {
    const plan = planWorkloads(upgraded, [
      { ...interaction, ready: false, available: 0 },
      { ...old, deleting: true },
    ]);
    expect(plan.remove).toEqual([]);
    expect(plan.kept).toEqual([]);
  });

  it('waits only for successors in the same namespace', () => {
    const elsewhere = { ...old, namespace: 'other' };
    const plan = planWorkloads(upgraded, [interaction, elsewhere]);
    expect(plan.remove).toEqual([elsewhere]);
  });

  it('removes an unlabelled workload at once (no module to wait for)', () => {
    const unlabelled = state('physics-rapier-1-3-0', '');
    expect(planWorkloads(upgraded, [interaction, unlabelled]).remove).toEqual([unlabelled]);
  });
});

describe('planWorkloads (properties)', () => {
  const slot = fc.record({
    namespace: fc.constantFrom('a', 'b'),
    module: fc.constantFrom('physics', 'rules', 'sinks'),
    version: fc.constantFrom('1.0.0', '1.1.0', '2.0.0'),
  });
  type Slot = { namespace: string; module: string; version: string };
  const workload = ({ namespace, module, version }: Slot): ModuleWorkload => {
    const name = workloadName(module, version);
    const object = {
      metadata: { name, namespace, labels: { [MODULE_LABEL]: module }, ownerReferences: [] },
    } as unknown as AppliedObject;
    return { namespace, name, manifest: name, deployment: object, service: object };
  };
  const cluster = fc.record({
    desired: fc.uniqueArray(slot, { selector: (s) => JSON.stringify(s), maxLength: 8 }),
    existing: fc.uniqueArray(fc.record({ slot, ready: fc.boolean(), deleting: fc.boolean() }), {
      selector: (e) => JSON.stringify(e.slot),
      maxLength: 10,
    }),
  });
  const key = (w: { namespace: string; name: string }) => `${w.namespace}/${w.name}`;

  it('never removes a bound workload, nor an old one before its successors are Ready', () => {
    fc.assert(
      fc.property(cluster, ({ desired, existing }) => {
        const wanted = desired.map(workload);
        const states: WorkloadState[] = existing.map(({ slot: s, ready, deleting }) => ({
          namespace: s.namespace,
          name: workloadName(s.module, s.version),
          module: s.module,
          replicas: 1,
          available: ready ? 1 : 0,
          ready,
          deleting,
        }));
        const plan = planWorkloads(wanted, states);
        const bound = new Set(wanted.map(key));
        const ready = new Set(states.filter((s) => s.ready).map(key));
        for (const removed of plan.remove) {
          expect(bound.has(key(removed))).toBe(false);
          expect(removed.deleting).toBe(false);
          for (const next of successorsOf(removed, wanted)) expect(ready.has(key(next))).toBe(true);
        }
        // Every unbound workload not being deleted is either removed or kept, never both.
        const unbound = states
          .filter((s) => !bound.has(key(s)) && !s.deleting)
          .map(key)
          .sort();
        const decided = [...plan.remove, ...plan.kept.map((k) => k.workload)].map(key).sort();
        expect(decided).toEqual(unbound);
        // The order the cluster lists its workloads in changes nothing.
        const again = planWorkloads(wanted, [...states].reverse());
        expect(again.remove.map(key).sort()).toEqual(plan.remove.map(key).sort());
        expect(again.kept.map((k) => key(k.workload)).sort()).toEqual(
          plan.kept.map((k) => key(k.workload)).sort(),
        );
      }),
    );
  });
});

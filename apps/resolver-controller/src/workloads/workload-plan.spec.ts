import type { CachedBinding } from '../mapping/cluster-cache';
import { exampleSet } from '../testing/fixtures';
import { desiredWorkloads, type ModuleWorkload } from './desired-workloads';
import { planWorkloads, type WorkloadState } from './workload-plan';

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

/** The cluster's state of a workload: running and Ready unless said otherwise. */
const state = (name: string, module: string, more: Partial<WorkloadState> = {}): WorkloadState => ({
  namespace: 'games',
  name,
  module,
  replicas: 1,
  available: 1,
  ready: true,
  deleting: false,
  ...more,
});

const names = (items: ReadonlyArray<{ name: string }>) => items.map((i) => i.name).sort();

describe('planWorkloads', () => {
  const upgraded: ModuleWorkload[] = desiredWorkloads(manifests, [
    bindingTo('physics-rapier', '2.0.0'),
  ]);
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

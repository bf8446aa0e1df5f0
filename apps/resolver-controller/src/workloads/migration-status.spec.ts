import type { Condition } from '@anvil/capability-model';
import type { CachedBinding } from '../mapping/cluster-cache';
import { exampleSet } from '../testing/fixtures';
import { runningWorkload as state } from '../testing/workloads';
import { bindingVersions, desiredWorkloads } from './desired-workloads';
import { migrationChange, migrationOf, type Migration } from './migration-status';
import { boundVersions, type ModuleVersion } from '../rollout/rollout-gate';
import { planWorkloads, type WorkloadState } from './workload-plan';

const { manifests } = exampleSet('games');

const binding = (world: string, version: string, module = 'physics-rapier') =>
  ({
    metadata: { name: `b-${world}`, namespace: 'games' },
    spec: {
      worldRef: world,
      consumer: { module: 'interaction-engine', version: '1.0.0' },
      provider: { module, version, endpoint: { port: 1, protocol: 'grpc' } },
    },
  }) as CachedBinding;

const interaction = state('interaction-engine-1-0-0', 'interaction-engine');
const old = state('physics-rapier-1-3-0', 'physics-rapier');
const upgraded = [binding('arena', '2.0.0')];
const desired = desiredWorkloads(manifests, bindingVersions(upgraded));

function migration(
  states: WorkloadState[],
  bindings = upgraded,
  targets: ModuleVersion[] = boundVersions(bindings),
): Migration | undefined {
  const plan = planWorkloads(desired, states);
  return migrationOf('games', boundVersions(bindings), targets, plan, states);
}

describe('migrationOf', () => {
  const held = [binding('arena', '1.3.0')];
  const targets = [
    { module: 'interaction-engine', version: '1.0.0' },
    { module: 'physics-rapier', version: '2.0.0' },
  ];

  it('waits for the version the world is wanted on, naming the one it stays on', () => {
    const starting = state('physics-rapier-2-0-0', 'physics-rapier', {
      available: 0,
      ready: false,
    });
    expect(migration([interaction, old, starting], held, targets)).toEqual({
      reason: 'WaitingForWorkload',
      message:
        'physics-rapier 2.0.0 is not ready (Deployment physics-rapier-2-0-0: 0 of 1 replicas ' +
        'available); the world stays on physics-rapier 1.3.0 until it is',
      failing: false,
    });
  });

  it('says the bindings move once the wanted version is Ready', () => {
    const next = state('physics-rapier-2-0-0', 'physics-rapier');
    expect(migration([interaction, old, next], held, targets)).toEqual({
      reason: 'Draining',
      message: "physics-rapier 2.0.0 is ready; the world's bindings move to it from 1.3.0",
      failing: false,
    });
  });

  it('waits for a new version that is not Ready, naming the old workload that keeps running', () => {
    const starting = state('physics-rapier-2-0-0', 'physics-rapier', {
      available: 0,
      ready: false,
    });
    expect(migration([interaction, old, starting])).toEqual({
      reason: 'WaitingForWorkload',
      message:
        'physics-rapier 2.0.0 is not ready (Deployment physics-rapier-2-0-0: 0 of 1 replicas ' +
        'available); physics-rapier-1-3-0 keeps running until it is',
      failing: false,
    });
    expect(migration([interaction, old])?.message).toMatch(/0 of 1 replicas available/);
  });

  it("says why a failing version's Deployment does not progress (a Warning)", () => {
    const failing = state('physics-rapier-2-0-0', 'physics-rapier', {
      available: 0,
      ready: false,
      failure: 'ReplicaSet "physics-rapier-2-0-0-5d9" has timed out progressing.',
    });
    const found = migration([interaction, old, failing]);
    expect(found).toMatchObject({ reason: 'WaitingForWorkload', failing: true });
    expect(found?.message).toMatch(/has timed out progressing\.\); physics-rapier-1-3-0 keeps/);
  });

  it('drains while the old version is being deleted, and is done once it is gone', () => {
    const next = state('physics-rapier-2-0-0', 'physics-rapier');
    expect(migration([interaction, { ...old, deleting: true }, next])).toEqual({
      reason: 'Draining',
      message:
        'physics-rapier 2.0.0 is ready; physics-rapier-1-3-0 is stopping and hands its worlds over',
      failing: false,
    });
    expect(migration([interaction, next])).toBeUndefined();
  });

  it('concerns only the worlds whose bindings name the moving version', () => {
    const starting = state('physics-rapier-2-0-0', 'physics-rapier', {
      available: 0,
      ready: false,
    });
    const untouched = [binding('tag', '1.0.0', 'physics-legacy')];
    expect(migration([interaction, old, starting], untouched)).toBeUndefined();
  });
});

describe('migrationChange', () => {
  const now = '2026-12-01T17:00:00Z';
  const waiting: Migration = { reason: 'WaitingForWorkload', message: 'not ready', failing: false };
  const condition = (status: 'True' | 'False', reason: string, message: string): Condition => ({
    type: 'Migrating',
    status,
    reason,
    message,
    lastTransitionTime: '2026-12-01T16:00:00Z',
  });

  it('writes nothing for a world that never moved, nor twice the same', () => {
    expect(migrationChange(undefined, undefined, now)).toBeUndefined();
    expect(
      migrationChange(condition('True', 'WaitingForWorkload', 'not ready'), waiting, now),
    ).toBeUndefined();
  });

  it('starts a move with an Event, and keeps its transition time while it goes on', () => {
    expect(migrationChange(undefined, waiting, now)).toEqual({
      condition: {
        ...condition('True', 'WaitingForWorkload', 'not ready'),
        lastTransitionTime: now,
      },
      event: { type: 'Normal', reason: 'WaitingForWorkload', message: 'not ready' },
    });
    const draining: Migration = { reason: 'Draining', message: 'ready', failing: false };
    const change = migrationChange(condition('True', 'WaitingForWorkload', 'x'), draining, now);
    expect(change?.condition).toMatchObject({
      reason: 'Draining',
      lastTransitionTime: '2026-12-01T16:00:00Z',
    });
    expect(migrationChange(undefined, { ...waiting, failing: true }, now)?.event?.type).toBe(
      'Warning',
    );
  });

  it('updates the message of a move that progresses without an Event, unless it is failing', () => {
    const before = condition('True', 'WaitingForWorkload', '0 of 2 available');
    const progress = migrationChange(before, { ...waiting, message: '1 of 2 available' }, now);
    expect(progress?.condition.message).toBe('1 of 2 available');
    expect(progress?.event).toBeUndefined();
    const failing = migrationChange(
      before,
      { ...waiting, message: 'timed out', failing: true },
      now,
    );
    expect(failing?.event).toMatchObject({ type: 'Warning', reason: 'WaitingForWorkload' });
  });

  it('ends a move with Migrating=False (Migrated)', () => {
    const change = migrationChange(condition('True', 'Draining', 'ready'), undefined, now);
    expect(change?.condition).toMatchObject({
      status: 'False',
      reason: 'Migrated',
      lastTransitionTime: now,
    });
    expect(change?.event).toMatchObject({ type: 'Normal', reason: 'Migrated' });
    expect(migrationChange(change?.condition, undefined, now)).toBeUndefined();
  });
});

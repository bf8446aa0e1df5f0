import { resolve, type Resolution, type WorldInstanceStatus } from '@anvil/capability-model';
import { clone, exampleSet } from './testing/fixtures';
import {
  computeWorldStatus,
  findCondition,
  sameStatus,
  timestamp,
  type ApplyOutcome,
} from './world-status';

const { manifests, game, world } = exampleSet('ns');
const resolved = resolve(world, game, manifests);
const noPhysics = resolve(
  world,
  game,
  manifests.filter((m) => !m.spec.module.startsWith('physics')),
);
const gameWithoutAnalytics = {
  ...game,
  spec: { ...game.spec, modules: game.spec.modules.filter((m) => !m.name.startsWith('analytics')) },
};
const noAnalytics = resolve(world, gameWithoutAnalytics, manifests);
const gameMissing: Resolution = {
  bindings: [],
  participants: [],
  diagnostics: [
    {
      severity: 'error',
      code: 'GameNotFound',
      consumer: '',
      capabilityId: '',
      message: 'GameDefinition "arena" not found',
      candidates: [],
    },
  ],
};
const t0 = new Date('2026-11-24T10:00:00.123Z');
const t1 = new Date('2026-11-24T10:05:00.000Z');

type Row = [
  string,
  Resolution,
  ApplyOutcome,
  { phase: string; resolved: [string, string]; ready: [string, string] },
];

describe('computeWorldStatus', () => {
  it.each<Row>([
    [
      'resolved and applied',
      resolved,
      { state: 'applied' },
      { phase: 'Ready', resolved: ['True', 'Resolved'], ready: ['True', 'BindingsReady'] },
    ],
    [
      'resolved, not applied yet',
      resolved,
      { state: 'pending' },
      { phase: 'Resolved', resolved: ['True', 'Resolved'], ready: ['Unknown', 'Reconciling'] },
    ],
    [
      'resolved, apply failed',
      resolved,
      { state: 'failed', message: 'boom' },
      { phase: 'Resolved', resolved: ['True', 'Resolved'], ready: ['False', 'ApplyFailed'] },
    ],
    [
      'optional requirement unresolved',
      noAnalytics,
      { state: 'applied' },
      {
        phase: 'Ready',
        resolved: ['True', 'ResolvedWithWarnings'],
        ready: ['True', 'BindingsReady'],
      },
    ],
    [
      'required requirement unresolved',
      noPhysics,
      { state: 'applied' },
      {
        phase: 'Unresolved',
        resolved: ['False', 'RequirementsUnresolved'],
        ready: ['False', 'Unresolved'],
      },
    ],
    [
      'game not found',
      gameMissing,
      { state: 'applied' },
      { phase: 'Unresolved', resolved: ['False', 'GameNotFound'], ready: ['False', 'Unresolved'] },
    ],
  ])('%s', (_case, resolution, outcome, want) => {
    const status = computeWorldStatus(world, resolution, undefined, t0, outcome);
    expect(status.phase).toBe(want.phase);
    const r = findCondition(status, 'Resolved');
    const ready = findCondition(status, 'Ready');
    expect([r?.status, r?.reason]).toEqual(want.resolved);
    expect([ready?.status, ready?.reason]).toEqual(want.ready);
    expect(status.observedGeneration).toBe(1);
    expect(status.bindingCount).toBe(resolution.bindings.length);
    expect(status.diagnostics).toEqual(resolution.diagnostics);
    for (const c of status.conditions ?? []) {
      expect(c.lastTransitionTime).toBe('2026-11-24T10:00:00Z');
      expect(c.observedGeneration).toBe(1);
      expect(c.message).not.toBe('');
    }
  });

  it('puts the unresolved requirement in the Resolved message', () => {
    const status = computeWorldStatus(world, noPhysics, undefined, t0);
    expect(findCondition(status, 'Resolved')?.message).toMatch(/physics\.simulation/);
    expect(
      status.diagnostics?.some(
        (d) => d.code === 'RequirementUnresolved' && d.capabilityId === 'physics.simulation',
      ),
    ).toBe(true);
  });

  it('is unchanged (same transition times) when recomputed later from its own output', () => {
    const first = computeWorldStatus(world, resolved, undefined, t0);
    const again = computeWorldStatus(world, resolved, clone(first), t1);
    expect(again).toEqual(first);
    expect(sameStatus(first, again)).toBe(true);
  });

  it('leaves the fields other writers own out of the comparison (placement, Migrating)', () => {
    const first = computeWorldStatus(world, resolved, undefined, t0);
    const stored = {
      ...clone(first),
      placement: { replica: 'physics-0', address: 'physics-0:50051', epoch: 3, state: 'Running' },
      conditions: [
        ...clone(first).conditions!,
        {
          type: 'Migrating',
          status: 'True',
          reason: 'WaitingForWorkload',
          message: 'physics-rapier 1.5.0 is not ready',
          lastTransitionTime: timestamp(t0),
        },
      ],
    } as typeof first;
    expect(sameStatus(stored, computeWorldStatus(world, resolved, stored, t1))).toBe(true);
    expect(sameStatus(stored, computeWorldStatus(world, noPhysics, stored, t1))).toBe(false);
  });

  it('moves lastTransitionTime only for the condition whose status changed', () => {
    const first = computeWorldStatus(world, resolved, undefined, t0, { state: 'pending' });
    const next = computeWorldStatus(world, resolved, first, t1, { state: 'applied' });
    expect(findCondition(next, 'Resolved')?.lastTransitionTime).toBe('2026-11-24T10:00:00Z');
    expect(findCondition(next, 'Ready')?.lastTransitionTime).toBe(timestamp(t1));
  });

  it('keeps the transition time when only reason or message change', () => {
    const first = computeWorldStatus(world, noPhysics, undefined, t0);
    const next = computeWorldStatus(world, gameMissing, first, t1);
    expect(findCondition(next, 'Resolved')?.lastTransitionTime).toBe('2026-11-24T10:00:00Z');
    expect(findCondition(next, 'Resolved')?.reason).toBe('GameNotFound');
  });

  it('reports a new generation', () => {
    const first = computeWorldStatus(world, resolved, undefined, t0);
    const edited = { ...world, metadata: { ...world.metadata, generation: 2 } };
    const next = computeWorldStatus(edited, resolved, first, t1);
    expect(next.observedGeneration).toBe(2);
    expect(sameStatus(first, next)).toBe(false);
  });

  it('compares statuses semantically (key order, undefined members)', () => {
    const status = computeWorldStatus(world, resolved, undefined, t0);
    const reversed = (o: object) => Object.fromEntries(Object.entries(o).reverse());
    const reordered = {
      ...reversed(status),
      conditions: status.conditions?.map(reversed),
      extra: undefined,
    } as WorldInstanceStatus;
    expect(sameStatus(reordered, status)).toBe(true);
    expect(sameStatus(undefined, status)).toBe(false);
  });
});

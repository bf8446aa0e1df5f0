import { resolve, type WorldInstanceStatus } from '@anvil/capability-model';
import { computeWorldStatus } from '@anvil/control-plane';
import { exampleSet } from '../testing/fixtures';
import { transitionEvents, type BindingChangeCounts } from './transition-events';

const { manifests, game, world } = exampleSet('ns');
const t = new Date('2026-11-24T10:00:00Z');
const ok = computeWorldStatus(world, resolve(world, game, manifests), undefined, t);
const noPhysics = computeWorldStatus(
  world,
  resolve(
    world,
    game,
    manifests.filter((m) => !m.spec.module.startsWith('physics')),
  ),
  undefined,
  t,
);
const noRules = computeWorldStatus(
  world,
  resolve(
    world,
    game,
    manifests.filter((m) => m.spec.module !== 'interaction-engine'),
  ),
  undefined,
  t,
);
const failing = computeWorldStatus(world, resolve(world, game, manifests), undefined, t, {
  state: 'failed',
  message: 'forbidden',
});
const none: BindingChangeCounts = { created: 0, updated: 0, deleted: 0 };
const some: BindingChangeCounts = { created: 1, updated: 0, deleted: 1 };

type Row = [
  string,
  WorldInstanceStatus | undefined,
  WorldInstanceStatus,
  BindingChangeCounts | undefined,
  string[],
];

describe('transitionEvents', () => {
  it.each<Row>([
    [
      'first resolution',
      undefined,
      ok,
      { created: 2, updated: 0, deleted: 0 },
      ['Normal/Resolved'],
    ],
    ['unchanged', ok, ok, none, []],
    ['unchanged and resolved, bindings rewritten', ok, ok, some, ['Normal/BindingsChanged']],
    ['becomes unresolved', ok, noPhysics, some, ['Warning/Unresolved']],
    ['first sight, unresolved', undefined, noPhysics, none, ['Warning/Unresolved']],
    ['stays unresolved for the same reason', noPhysics, noPhysics, none, []],
    ['stays unresolved for another reason', noPhysics, noRules, none, ['Warning/Unresolved']],
    ['recovers', noPhysics, ok, some, ['Normal/Resolved']],
    ['apply starts failing', ok, failing, none, ['Warning/ApplyFailed']],
    ['apply keeps failing', failing, failing, none, []],
    ['apply recovers', failing, ok, some, ['Normal/BindingsChanged']],
  ])('%s', (_case, previous, next, changes, want) => {
    expect(transitionEvents(previous, next, changes).map((e) => `${e.type}/${e.reason}`)).toEqual(
      want,
    );
  });

  it('tells the two unresolved worlds apart by their diagnostics', () => {
    expect(noPhysics.phase).toBe('Unresolved');
    expect(noRules.phase).toBe('Unresolved');
    expect(noRules.diagnostics?.map((d) => d.code)).toContain('ModuleNotFound');
    expect(noRules.diagnostics).not.toEqual(noPhysics.diagnostics);
  });

  it('explains an unresolved world in the message', () => {
    const [event] = transitionEvents(ok, noPhysics);
    expect(event.message).toMatch(/physics\.simulation/);
    expect(event.message.length).toBeLessThanOrEqual(1000);
  });
});

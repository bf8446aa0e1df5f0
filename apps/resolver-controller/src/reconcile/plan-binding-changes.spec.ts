import { resolve } from '@anvil/capability-model';
import { clone, exampleSet, REPLAY_YAML } from '../testing/fixtures';
import { desiredBindings, type BindingObject } from './desired-bindings';
import { hasChanges, planBindingChanges, type ActualBinding } from './plan-binding-changes';

const { manifests, game, world } = exampleSet('ns');
const desired = desiredBindings(world, resolve(world, game, manifests), manifests);

/** What the API server would return for a desired binding (server-filled metadata, other key order). */
function stored(
  b: BindingObject,
  edit: (a: ActualBinding) => void = () => undefined,
): ActualBinding {
  const actual: ActualBinding = {
    apiVersion: b.apiVersion,
    kind: b.kind,
    spec: JSON.parse(JSON.stringify(b.spec, Object.keys(b.spec).sort())) as BindingObject['spec'],
    metadata: {
      ...clone(b.metadata),
      uid: `uid-${b.metadata.name}`,
      resourceVersion: '7',
      labels: { ...b.metadata.labels, team: 'extra' },
    },
  };
  actual.spec = { ...b.spec };
  edit(actual);
  return actual;
}

const names = (list: Array<{ metadata?: { name: string }; name?: string }>) =>
  list.map((x) => x.metadata?.name ?? x.name);

describe('planBindingChanges', () => {
  it('creates everything for a new world', () => {
    const plan = planBindingChanges(desired, []);
    expect(names(plan.create)).toEqual(names(desired));
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
  });

  it('writes nothing when the cluster already matches (extra labels are not ours to remove)', () => {
    const plan = planBindingChanges(
      desired,
      desired.map((b) => stored(b)),
    );
    expect(hasChanges(plan)).toBe(false);
  });

  it.each<[string, (a: ActualBinding) => void]>([
    ['a hand-edited spec', (a) => (a.spec = { ...a.spec, capabilityVersion: '9.9.9' })],
    [
      'a hand-edited endpoint',
      (a) =>
        (a.spec = {
          ...a.spec,
          provider: { ...a.spec.provider, endpoint: { port: 1, protocol: 'http' } },
        }),
    ],
    ['a removed label', (a) => delete a.metadata.labels?.['app.kubernetes.io/managed-by']],
    ['a missing owner reference', (a) => (a.metadata.ownerReferences = [])],
    [
      'an owner reference to an older world with the same name',
      (a) => (a.metadata.ownerReferences = [{ ...a.metadata.ownerReferences![0], uid: 'old' }]),
    ],
  ])('updates a binding with %s', (_case, edit) => {
    const actual = desired.map((b, i) => stored(b, i === 0 ? edit : undefined));
    const plan = planBindingChanges(desired, actual);
    expect(names(plan.update)).toEqual([desired[0].metadata.name]);
    expect(plan.create).toEqual([]);
    expect(plan.delete).toEqual([]);
  });

  it('deletes bindings of the world that are no longer desired, only when managed by us', () => {
    const ours = stored(desired[0], (a) => (a.metadata.name = 'arena-eu-1.old.binding'));
    const foreign = stored(desired[0], (a) => {
      a.metadata.name = 'arena-eu-1.by-hand';
      a.metadata.labels = { 'anvil.dev/world': 'arena-eu-1' };
    });
    const plan = planBindingChanges(desired, [...desired.map((b) => stored(b)), ours, foreign]);
    expect(plan.delete).toEqual([
      { namespace: 'ns', name: 'arena-eu-1.old.binding', uid: `uid-${desired[0].metadata.name}` },
    ]);
  });

  it('leaves bindings that are being deleted alone (their delete event requeues the world)', () => {
    const terminating = (b: BindingObject) =>
      stored(b, (a) => (a.metadata.deletionTimestamp = '2026-01-01T00:00:00Z'));
    const plan = planBindingChanges(desired.slice(1), desired.map(terminating));
    expect(hasChanges(plan)).toBe(false);
  });

  it('mixes creates, updates and deletes', () => {
    expect(desired).toHaveLength(2);
    const actual = [
      stored(desired[1], (a) => (a.spec = { ...a.spec, multiplicity: 'many' })),
      stored(desired[0], (a) => (a.metadata.name = 'gone')),
    ];
    const plan = planBindingChanges(desired, actual);
    expect(names(plan.create)).toEqual([desired[0].metadata.name]);
    expect(names(plan.update)).toEqual([desired[1].metadata.name]);
    expect(plan.delete.map((d) => d.name)).toEqual(['gone']);
  });

  it('leaves an unchanged binding alone among creates, updates and deletes (inline replay game)', () => {
    const replay = exampleSet('ns', 'replay-1', REPLAY_YAML);
    const many = desiredBindings(
      replay.world,
      resolve(replay.world, replay.game, replay.manifests),
      replay.manifests,
    );
    expect(many).toHaveLength(4);
    const actual = [
      stored(many[1], (a) => (a.spec = { ...a.spec, rank: 5 })),
      stored(many[2]),
      stored(many[0], (a) => (a.metadata.name = 'gone')),
    ];
    const plan = planBindingChanges(many, actual);
    expect(names(plan.create)).toEqual(names([many[0], ...many.slice(3)]));
    expect(names(plan.update)).toEqual([many[1].metadata.name]);
    expect(plan.delete.map((d) => d.name)).toEqual(['gone']);
  });
});

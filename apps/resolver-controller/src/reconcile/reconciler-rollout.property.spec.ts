import fc from 'fast-check';
import type { ClusterCache } from '../mapping/cluster-cache';
import { Rollouts } from '../rollout/rollouts';
import { clone } from '../testing/fixtures';
import { reconcilerFixture } from '../testing/reconciler-fixture';
import { runningWorkload } from '../testing/workloads';
import { silentLog } from './cluster-writer';

const KEY = 'ns/arena-eu-1';
/** physics-rapier 1.<minor>.0; the example has 1.3.0, and each newer minor is preferred. */
const MINORS = [3, 4, 5, 6];

type Action =
  | { kind: 'publish'; minor: number }
  | { kind: 'remove'; minor: number }
  | { kind: 'ready'; minor: number; ready: boolean };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('publish' as const), minor: fc.constantFrom(4, 5, 6) }),
  fc.record({ kind: fc.constant('remove' as const), minor: fc.constantFrom(...MINORS) }),
  fc.record({
    kind: fc.constant('ready' as const),
    minor: fc.constantFrom(...MINORS),
    ready: fc.boolean(),
  }),
);

const manifestName = (minor: number) => `physics-rapier-1.${minor}.0`;

/** The physics-rapier minor the world binds (undefined: another module, or none). */
function boundMinor(cache: ClusterCache): number | undefined {
  const binding = cache
    .bindingsOf(KEY)
    .find(
      (b) =>
        b.spec.capabilityId === 'physics.simulation' && b.spec.provider.module === 'physics-rapier',
    );
  return binding ? Number(binding.spec.provider.version.split('.')[1]) : undefined;
}

describe('the rollout gate in the reconciler (property)', () => {
  it('moves a world to a version only once its workload is Ready while the bound one exists, and to the best Ready one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { maxLength: 25 }), async (actions) => {
        const rollouts = new Rollouts(() => undefined);
        const { cache, reconciler } = reconcilerFixture(undefined, rollouts);
        const base = clone(cache.manifests.get('ns', manifestName(3))!);
        const ready = new Set<number>();
        const present = () =>
          MINORS.filter((minor) => cache.manifests.get('ns', manifestName(minor)) !== undefined);
        await reconciler.reconcile(KEY, silentLog);
        for (const step of actions) {
          if (step.kind === 'publish') {
            const newer = clone(base);
            newer.metadata = {
              ...newer.metadata,
              name: manifestName(step.minor),
              uid: `uid-${step.minor}`,
            };
            newer.spec = {
              ...newer.spec,
              version: `1.${step.minor}.0`,
              provides: [
                {
                  capabilityId: 'physics.simulation',
                  version: `1.${step.minor + 1}.0`,
                  scope: 'world',
                },
              ],
            };
            cache.manifests.upsert(newer);
          } else if (step.kind === 'remove') {
            cache.manifests.remove({
              metadata: { namespace: 'ns', name: manifestName(step.minor) },
            });
          } else {
            if (step.ready) ready.add(step.minor);
            else ready.delete(step.minor);
            rollouts.observe(
              [...ready].map((minor) => ({
                ...runningWorkload(`physics-rapier-1-${minor}-0`, 'physics-rapier'),
                namespace: 'ns',
              })),
            );
          }
          const before = boundMinor(cache);
          await reconciler.reconcile(KEY, silentLog);
          const after = boundMinor(cache);
          const versions = present();
          const ideal = versions.length > 0 ? Math.max(...versions) : undefined;
          const holds =
            before !== undefined &&
            versions.includes(before) &&
            ideal !== before &&
            !ready.has(ideal!);
          // Held: the bound version, or a newer one already Ready; otherwise what the resolver chose.
          const expected = holds
            ? Math.max(before, ...versions.filter((minor) => ready.has(minor)))
            : ideal;
          expect(after).toBe(expected);
          if (before !== undefined && after !== before && versions.includes(before))
            expect(ready.has(after!)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});

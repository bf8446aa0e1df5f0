import { exampleSet } from '../testing/fixtures';
import { withWorkloadHost } from './workload-hosts';

describe('withWorkloadHost', () => {
  const { manifests } = exampleSet('games');
  const physics = manifests.find((m) => m.metadata.name === 'physics-rapier-1.3.0')!;

  it("points a manifest without a host at its version's Service, once per object", () => {
    const wired = withWorkloadHost(physics);
    expect(wired.spec.endpoint).toEqual({
      ...physics.spec.endpoint,
      host: 'physics-rapier-1-3-0.games.svc',
    });
    expect(physics.spec.endpoint.host).toBeUndefined();
    expect(withWorkloadHost(physics)).toBe(wired);
  });

  it('keeps a host the manifest names', () => {
    const named = {
      ...physics,
      spec: { ...physics.spec, endpoint: { ...physics.spec.endpoint, host: 'physics.example' } },
    };
    expect(withWorkloadHost(named)).toBe(named);
  });
});

import { runningWorkload } from '../testing/workloads';
import { Rollouts } from './rollouts';

describe('Rollouts', () => {
  const physics15 = { module: 'physics-rapier', version: '1.5.0' };
  const interaction = { module: 'interaction-engine', version: '1.0.0' };

  it("requeues the worlds that want a version whose workload's readiness changed", () => {
    const requeued: string[] = [];
    const rollouts = new Rollouts((key) => requeued.push(key));
    rollouts.target('games/arena', [interaction, physics15]);
    rollouts.target('games/tag', [interaction]);
    rollouts.target('other/arena', [physics15]);
    const starting = runningWorkload('physics-rapier-1-5-0', 'physics-rapier', {
      ready: false,
      available: 0,
    });
    const running = runningWorkload('interaction-engine-1-0-0', 'interaction-engine');
    rollouts.observe([starting, running]);
    expect(requeued.sort()).toEqual(['games/arena', 'games/tag']);
    expect(rollouts.isReady('games', 'physics-rapier', '1.5.0')).toBe(false);
    requeued.length = 0;
    rollouts.observe([starting, running]);
    expect(requeued).toEqual([]);
    rollouts.observe([{ ...starting, ready: true, available: 1 }, running]);
    expect(requeued).toEqual(['games/arena']);
    expect(rollouts.isReady('games', 'physics-rapier', '1.5.0')).toBe(true);
    // A workload being deleted does not count as Ready.
    requeued.length = 0;
    rollouts.observe([{ ...starting, ready: true, deleting: true }, running]);
    expect(requeued).toEqual(['games/arena']);
    expect(rollouts.isReady('games', 'physics-rapier', '1.5.0')).toBe(false);
  });

  it('knows which worlds have targets, and lists them with their namespace', () => {
    const rollouts = new Rollouts(() => undefined);
    rollouts.target('games/arena', [physics15]);
    expect(rollouts.knowsAll(['games/arena'])).toBe(true);
    expect(rollouts.knowsAll(['games/arena', 'games/tag'])).toBe(false);
    expect(rollouts.wanted()).toEqual([{ namespace: 'games', ...physics15 }]);
    expect(rollouts.targetsOf('games/tag')).toEqual([]);
    rollouts.target('games/tag', [physics15]);
    rollouts.retain(new Set(['games/tag']));
    expect(rollouts.knowsAll(['games/arena'])).toBe(false);
    expect(rollouts.knowsAll(['games/tag'])).toBe(true);
    rollouts.forget('games/tag');
    expect(rollouts.wanted()).toEqual([]);
  });
});

import { Presence } from './presence';

describe('Presence', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('asks for an engine join once per player, and a leave when the last socket goes', () => {
    const p = new Presence();
    expect(p.add('w', 'alice', 's1')).toBe(true);
    p.setInEngine('w', 'alice', true);
    expect(p.add('w', 'alice', 's2')).toBe(false);
    const onLast = jest.fn();
    p.remove('w', 'alice', 's1', 0, onLast);
    expect(onLast).not.toHaveBeenCalled();
    p.remove('w', 'alice', 's2', 0, onLast);
    expect(onLast).toHaveBeenCalledTimes(1);
    expect(p.players('w')).toEqual([]);
  });

  it('waits out the grace period, and a returning socket cancels the leave', () => {
    const p = new Presence();
    p.add('w', 'bob', 's1');
    p.setInEngine('w', 'bob', true);
    const onLast = jest.fn();
    p.remove('w', 'bob', 's1', 1_000, onLast);
    jest.advanceTimersByTime(500);
    expect(p.add('w', 'bob', 's2')).toBe(false);
    jest.advanceTimersByTime(1_000);
    expect(onLast).not.toHaveBeenCalled();
    p.remove('w', 'bob', 's2', 1_000, onLast);
    jest.advanceTimersByTime(1_000);
    expect(onLast).toHaveBeenCalledTimes(1);
  });

  it('needs no leave for a player the engine never got', () => {
    const p = new Presence();
    p.add('w', 'carol', 's1');
    const onLast = jest.fn();
    p.remove('w', 'carol', 's1', 0, onLast);
    expect(onLast).not.toHaveBeenCalled();
    expect(p.add('w', 'carol', 's2')).toBe(true);
  });

  it('runs pending leaves at once on shutdown', () => {
    const p = new Presence();
    p.add('w', 'erin', 's1');
    p.setInEngine('w', 'erin', true);
    const onLast = jest.fn();
    p.remove('w', 'erin', 's1', 60_000, onLast);
    p.flushLeaves();
    expect(onLast).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(60_000);
    expect(onLast).toHaveBeenCalledTimes(1);
  });
});

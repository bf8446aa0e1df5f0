import { DeltaCoalescer, MAX_PENDING_EVENTS } from './delta-coalescer';

const body = (id: string, x: number) => ({ id, x, y: 0, angle: 0, vx: 0, vy: 0 });

describe('DeltaCoalescer', () => {
  it('keeps the latest state per body and the tick range', () => {
    const c = new DeltaCoalescer('w', 100);
    c.addDelta({ worldId: 'w', tick: 5, bodies: [body('a', 1), body('b', 1)] });
    c.addDelta({ worldId: 'w', tick: 6, bodies: [body('a', 2)] });
    c.addDelta({ worldId: 'w', tick: 7, bodies: [body('c', 3)], removed: ['b'] });
    const out = c.take();
    expect(out.resync).toBe(false);
    expect(out.delta).toEqual({
      worldId: 'w',
      tick: 7,
      fromTick: 5,
      bodies: [body('a', 2), body('c', 3)],
      removed: ['b'],
    });
    expect(c.empty).toBe(true);
    expect(c.take().delta).toBeUndefined();
  });

  it('lets a body that comes back after removal win over the removal', () => {
    const c = new DeltaCoalescer('w', 100);
    c.addDelta({ worldId: 'w', tick: 1, bodies: [], removed: ['a'] });
    c.addDelta({ worldId: 'w', tick: 2, bodies: [body('a', 9)] });
    expect(c.take().delta).toEqual({ worldId: 'w', tick: 2, fromTick: 1, bodies: [body('a', 9)] });
  });

  it('leaves out what a snapshot at minTick already covers', () => {
    const c = new DeltaCoalescer('w', 100);
    c.addDelta({ worldId: 'w', tick: 10, bodies: [body('a', 1), body('b', 1)] });
    c.addDelta({ worldId: 'w', tick: 11, bodies: [body('b', 2)] });
    c.addEvent({ worldId: 'w', tick: 10, type: 'player-joined', playerId: 'p', bodyId: 'p:p' });
    const out = c.take(10);
    expect(out.delta).toEqual({ worldId: 'w', tick: 11, bodies: [body('b', 2)] });
    expect(out.events).toEqual([]);
  });

  it('asks for a resync instead of growing past its bounds', () => {
    const c = new DeltaCoalescer('w', 3);
    c.addDelta({
      worldId: 'w',
      tick: 1,
      bodies: [body('a', 1), body('b', 1), body('c', 1), body('d', 1)],
    });
    expect(c.empty).toBe(false);
    expect(c.take()).toEqual({ events: [], resync: true });
    const e = new DeltaCoalescer('w', 3);
    for (let i = 0; i <= MAX_PENDING_EVENTS; i++)
      e.addEvent({ worldId: 'w', tick: i, type: 'player-left', playerId: `p${i}` });
    expect(e.take().resync).toBe(true);
  });
});

import fc from 'fast-check';
import type { AnalyticsInput } from './analytics-input';
import { FigureModel, type WorldRows } from './figure-model';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const WORLDS = ['w1', 'w2', 'w3'];

/** A stream of inputs of a few worlds and players, each with an id of its own. */
const streamArb = fc
  .array(
    fc.record({
      worldId: fc.constantFrom(...WORLDS),
      kind: fc.constantFrom('joined', 'left', 'commands', 'other', 'malformed'),
      playerId: fc.constantFrom('a', 'b', 'c', 'd'),
      // Mostly forward in time, sometimes a little back (clocks of two producers).
      step: fc.integer({ min: -2_000, max: 30_000 }),
      intents: fc.integer({ min: 0, max: 5 }),
    }),
    { maxLength: 80 },
  )
  .map((raw) => {
    let at = T0;
    return raw.map((r, i): AnalyticsInput => {
      at += r.step;
      const base = { worldId: r.worldId, eventId: `e${i}` };
      switch (r.kind) {
        case 'joined':
        case 'left':
          return { ...base, kind: r.kind, at, playerId: r.playerId };
        case 'commands':
          return { ...base, kind: 'commands', at, intents: r.intents };
        case 'other':
          return { ...base, kind: 'other', at };
        default:
          return { ...base, kind: 'malformed', reason: 'bad' };
      }
    });
  });

function fold(inputs: AnalyticsInput[]): Record<string, WorldRows | undefined> {
  const model = new FigureModel();
  for (const input of inputs) model.apply(input);
  return Object.fromEntries(model.worldIds().map((id) => [id, model.rows(id)]));
}

describe('the fold of events into figures', () => {
  it('ignores duplicates: a copy of any event delivered again later changes nothing', () => {
    fc.assert(
      fc.property(
        streamArb,
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
        (stream, copies) => {
          const delivered = [...stream];
          for (const [from, to] of copies) {
            if (stream.length === 0) break;
            const i = from % stream.length;
            const position = delivered.indexOf(stream[i]) + 1;
            delivered.splice(position + (to % (delivered.length - position + 1)), 0, stream[i]);
          }
          expect(fold(delivered)).toEqual(fold(stream));
        },
      ),
    );
  });

  it('gives the same figures after a crash: everything from an earlier offset delivered again', () => {
    fc.assert(
      fc.property(streamArb, fc.nat(), fc.nat(), (stream, a, b) => {
        const crashAt = stream.length === 0 ? 0 : a % (stream.length + 1);
        const resumeAt = crashAt === 0 ? 0 : b % (crashAt + 1);
        const delivered = [...stream.slice(0, crashAt), ...stream.slice(resumeAt)];
        expect(fold(delivered)).toEqual(fold(stream));
      }),
    );
  });

  it("depends on each world's order only, not on how worlds interleave", () => {
    fc.assert(
      fc.property(
        streamArb,
        fc.array(fc.constantFrom(...WORLDS), { maxLength: 300 }),
        (stream, picks) => {
          const queues = new Map(WORLDS.map((w) => [w, stream.filter((e) => e.worldId === w)]));
          const interleaved: AnalyticsInput[] = [];
          for (const w of picks) {
            const next = queues.get(w)!.shift();
            if (next) interleaved.push(next);
          }
          for (const rest of queues.values()) interleaved.push(...rest);
          expect(fold(interleaved)).toEqual(fold(stream));
        },
      ),
    );
  });

  it('keeps its figures consistent with each other', () => {
    fc.assert(
      fc.property(streamArb, (stream) => {
        for (const rows of Object.values(fold(stream))) {
          const { totals, players, commands, sessions } = rows!;
          expect(totals.playersNow).toBe(totals.joins - totals.leaves);
          expect(totals.playersNow).toBeGreaterThanOrEqual(0);
          expect(totals.sessions).toBe(sessions.length);
          expect(sessions.every((s) => s.lengthMs >= 0)).toBe(true);
          const sum = <T>(rows: T[], f: (row: T) => number) => rows.reduce((n, r) => n + f(r), 0);
          expect(sum(players, (b) => b.joins)).toBe(totals.joins);
          expect(sum(players, (b) => b.leaves)).toBe(totals.leaves);
          expect(players.every((b) => b.peak >= b.last)).toBe(true);
          expect(sum(commands, (c) => c.intents)).toBe(totals.intents);
          expect(sum(commands, (c) => c.entries)).toBe(totals.commandEntries);
          const world = stream.filter((e) => e.worldId === totals.worldId);
          const distinct = new Set(world.map((e) => e.eventId)).size;
          expect(totals.events + totals.malformed).toBe(distinct);
        }
      }),
    );
  });

  it('matches a hand count of a small session story', () => {
    const at = (s: number) => T0 + s * 1000;
    const rows = fold([
      { worldId: 'w', eventId: '1', kind: 'joined', at: at(1), playerId: 'a' },
      { worldId: 'w', eventId: '2', kind: 'joined', at: at(2), playerId: 'b' },
      { worldId: 'w', eventId: '3', kind: 'left', at: at(31), playerId: 'a' },
      { worldId: 'w', eventId: '4', kind: 'left', at: at(32), playerId: 'a' },
      { worldId: 'w', eventId: '5', kind: 'commands', at: at(3.5), intents: 2 },
      { worldId: 'w', eventId: '6', kind: 'commands', at: at(3.9), intents: 0 },
    ])['w']!;
    expect(rows.sessions).toEqual([{ leftAt: new Date(at(31)), lengthMs: 30_000 }]);
    expect(rows.players).toEqual([
      { start: new Date(at(0)), joins: 2, leaves: 0, peak: 2, last: 2 },
      { start: new Date(at(30)), joins: 0, leaves: 1, peak: 2, last: 1 },
    ]);
    expect(rows.commands).toEqual([{ start: new Date(at(3)), entries: 2, intents: 2 }]);
    expect(rows.totals).toMatchObject({ events: 6, unmatchedLeaves: 1, epochMarkers: 1 });
  });
});

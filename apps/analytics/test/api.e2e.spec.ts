// The module in-process as the embedded host runs it: PGlite storage, the in-memory bus, the real
// Nest app on a free port. The figures it serves are compared with the in-memory fold of the
// same events.
import { EVENT_TYPES, InMemoryBus, createCloudEvent, worldTopic } from '@anvil/bus';
import { createStorage, type Storage } from '@anvil/storage';
import pino from 'pino';
import { bootstrap, loadAnalyticsConfig, type RunningAnalytics } from '../src';
import { FiguresService } from '../src/figures/figures.service';
import { inputOf } from '../src/fold/analytics-input';
import { FigureModel } from '../src/fold/figure-model';
import { worldStream } from '../src/testing/event-stream';
import { ModelSource } from '../src/testing/model-source';

jest.setTimeout(240_000);

const START = Date.parse('2026-12-01T10:00:00.000Z');
const WORLDS = ['arena-1', 'arena-2', 'lobby.eu:3'];
const streams = WORLDS.map((worldId, i) =>
  worldStream(worldId, { start: START + i * 7_000, events: 120, seed: 11 + i }),
);

/** Events the bus accepts but the figures cannot use: counted as malformed. */
const malformed = [
  createCloudEvent({
    type: EVENT_TYPES.playerJoined,
    source: '/test',
    subject: 'arena-1',
    tick: 1,
    data: { worldId: 'arena-9', playerId: 'x', bodyId: 'p:x' },
    id: 'bad-world-in-data',
  }),
];

describe('the analytics module in-process', () => {
  let storage: Storage;
  let bus: InMemoryBus;
  let running: RunningAnalytics;
  let failuresLeft = 5;
  const model = new FigureModel();

  const get = async (path: string) => {
    const response = await fetch(`${running.url}${path}`);
    const text = await response.text();
    return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  };
  const expected = async (worldId: string, query = {}) =>
    JSON.parse(
      JSON.stringify(
        await new FiguresService(new ModelSource(model)).figures(worldId, {
          bucketSeconds: 10,
          commandsBucketSeconds: 1,
          ...query,
        }),
      ),
    );
  const publishAll = async () => {
    for (const stream of streams)
      for (const { topic, event } of stream)
        await bus.publish(worldTopic(topic), event.subject, [event]);
    await bus.publish(worldTopic('interaction'), 'arena-1', malformed);
  };
  const caughtUp = async (events: number) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { body } = await get('/worlds?limit=1000');
      const seen = (body.worlds ?? []).reduce(
        (n: number, w: { events: number; malformed: number }) => n + w.events + w.malformed,
        0,
      );
      if (seen >= events) return;
      if (Date.now() > deadline) throw new Error(`only ${seen} of ${events} events applied`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    storage = await createStorage({ url: 'pglite://memory' });
    await storage.migrate();
    // After committing, the first applications fail as a crash before the offset commit would:
    // the bus delivers those events again, and they must not count twice.
    const apply = storage.analytics.apply.bind(storage.analytics);
    const flaky: Storage = {
      ...storage,
      analytics: Object.assign(Object.create(storage.analytics), {
        apply: async (...args: Parameters<typeof apply>) => {
          const applied = await apply(...args);
          if (failuresLeft-- > 0) throw new Error('crashed after the commit');
          return applied;
        },
      }),
    };
    bus = new InMemoryBus({ redeliveryDelayMs: 10 });
    const config = loadAnalyticsConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' });
    running = await bootstrap({ config, bus, storage: flaky, logger: pino({ level: 'silent' }) });
    for (const stream of streams)
      for (const { event } of stream)
        model.apply(inputOf({ topic: '', key: event.subject, event }));
    for (const event of malformed) model.apply(inputOf({ topic: '', key: 'arena-1', event }));
  });

  afterAll(async () => {
    await running?.close();
    await bus?.close();
    await storage?.close();
  });

  it('serves the figures of every world as the fold of its events gives them', async () => {
    await publishAll();
    const total = streams.flat().length + malformed.length;
    await caughtUp(total);
    expect(failuresLeft).toBeLessThan(0);
    for (const worldId of WORLDS) {
      const { status, body } = await get(`/worlds/${encodeURIComponent(worldId)}/figures`);
      expect(status).toBe(200);
      expect(body).toEqual(await expected(worldId));
      expect(body.sessions.count).toBeGreaterThan(0);
      expect(body.commands.series.some((p: { intents: number }) => p.intents > 0)).toBe(true);
    }
    const arena = (await get('/worlds/arena-1/figures')).body;
    expect(arena.totals).toMatchObject({ malformed: 1, epochMarkers: 1 });
  });

  it('counts nothing twice when every event is delivered again', async () => {
    const before = await get('/worlds/arena-2/figures');
    await publishAll();
    // Each partition hands its copies over in order: a marker event after them on every world's
    // partition of both topics shows they are all through.
    const markers = WORLDS.flatMap((worldId) =>
      (['interaction', 'commands'] as const).map((topic) => ({
        topic,
        event: createCloudEvent({
          type: 'dev.anvil.test.marker.v1',
          source: '/test',
          subject: worldId,
          tick: 0,
          data: {},
          // Inside every world's span, so first and last event times stay.
          time: new Date(START + 60_000),
        }),
      })),
    );
    for (const { topic, event } of markers) {
      model.apply(inputOf({ topic: '', key: event.subject, event }));
      await bus.publish(worldTopic(topic), event.subject, [event]);
    }
    await caughtUp(streams.flat().length + malformed.length + markers.length);
    const after = await get('/worlds/arena-2/figures');
    expect(after.body.totals.events).toBe(before.body.totals.events + 2);
    expect({ ...after.body.totals, events: 0 }).toEqual({ ...before.body.totals, events: 0 });
    for (const worldId of WORLDS)
      expect((await get(`/worlds/${worldId}/figures`)).body).toEqual(await expected(worldId));
  });

  it('reads other windows and widths the same way', async () => {
    const from = new Date(START + 20_000).toISOString();
    const to = new Date(START + 200_000).toISOString();
    const query = `?from=${from}&to=${to}&bucket=60&commandsBucket=10`;
    const { status, body } = await get(`/worlds/arena-1/figures${query}`);
    expect(status).toBe(200);
    expect(body).toEqual(
      await expected('arena-1', {
        from: new Date(from),
        to: new Date(to),
        bucketSeconds: 60,
        commandsBucketSeconds: 10,
      }),
    );
    expect(body.players.series).toHaveLength(4);
    expect(body.from).toBe(new Date(START).toISOString());
  });

  it('lists the worlds with figures, paged', async () => {
    const first = await get('/worlds?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.worlds.map((w: { worldId: string }) => w.worldId)).toEqual([
      'arena-1',
      'arena-2',
    ]);
    expect(first.body.next).toBe('arena-2');
    const second = await get(`/worlds?limit=2&after=${first.body.next}`);
    expect(second.body).toMatchObject({
      worlds: [{ worldId: 'lobby.eu:3' }],
      next: null,
      unattributed: { malformed: 0 },
    });
  });

  it('answers bad requests with coded errors', async () => {
    const cases: Array<[string, number, string]> = [
      ['/worlds/bad%20id/figures', 400, 'INVALID_WORLD_ID'],
      [`/worlds/${'x'.repeat(65)}/figures`, 400, 'INVALID_WORLD_ID'],
      ['/worlds/nobody/figures', 404, 'WORLD_NOT_FOUND'],
      ['/worlds/arena-1/figures?bucket=7', 400, 'INVALID_QUERY'],
      ['/worlds/arena-1/figures?from=yesterday', 400, 'INVALID_QUERY'],
      ['/worlds/arena-1/figures?bucket=10&bucket=60', 400, 'INVALID_QUERY'],
      ['/worlds/arena-1/figures?colour=red', 400, 'INVALID_QUERY'],
      [
        '/worlds/arena-1/figures?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z',
        400,
        'RANGE_TOO_LARGE',
      ],
      [
        '/worlds/arena-1/figures?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z',
        400,
        'INVALID_QUERY',
      ],
      ['/worlds?limit=0', 400, 'INVALID_QUERY'],
      ['/worlds?after=no%20way', 400, 'INVALID_QUERY'],
      ['/nowhere', 404, 'NOT_FOUND'],
    ];
    for (const [path, status, code] of cases) {
      const answer = await get(path);
      expect({ path, status: answer.status, code: answer.body?.error?.code }).toEqual({
        path,
        status,
        code,
      });
      expect(typeof answer.body.error.message).toBe('string');
    }
  });

  it('serves probes and Prometheus metrics', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get('/readyz')).toEqual({
      status: 200,
      body: { status: 'ready', checks: { storage: true, bus: true } },
    });
    const metrics = (await get('/metrics')).body as string;
    expect(metrics).toMatch(/anvil_analytics_events_total\{kind="joined",result="applied"\} \d+/);
    expect(metrics).toMatch(
      /anvil_analytics_events_total\{kind="commands",result="duplicate"\} \d+/,
    );
    expect(metrics).toMatch(/anvil_analytics_apply_errors_total 5/);
    expect(metrics).toContain('anvil_analytics_process_cpu_seconds_total');
  });
});

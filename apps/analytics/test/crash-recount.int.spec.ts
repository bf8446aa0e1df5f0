// The module as a process on the real Kafka and PostgreSQL of tools/testenv (build first: npx nx
// run analytics:build). Events of several worlds, garbage among them, are produced while the
// module consumes; it is SIGKILLed mid-stream and restarted, and once it has caught up its
// figures must equal a recount of the topics read raw by a plain consumer: nothing lost, nothing
// counted twice.
import {
  EVENT_TYPES,
  createCloudEvent,
  parseCloudEvent,
  worldTopic,
  type CloudEvent,
  type CommandsAppliedData,
} from '@anvil/bus';
import { KafkaBus } from '@anvil/bus/kafka';
import { FiguresService } from '../src/figures/figures.service';
import { inputOf, skippedInput, UNATTRIBUTED } from '../src/fold/analytics-input';
import { FigureModel } from '../src/fold/figure-model';
import {
  produceRaw,
  readRaw,
  startAnalytics,
  type AnalyticsProcess,
  type RawRecord,
} from '../src/testing/analytics-process';
import { worldStream } from '../src/testing/event-stream';
import { ModelSource } from '../src/testing/model-source';

jest.setTimeout(180_000);

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const PREFIX = `analytics${run}`;
const BROKERS = process.env['KAFKA_BROKERS'] as string;
const TOPICS = {
  interaction: worldTopic('interaction', PREFIX),
  commands: worldTopic('commands', PREFIX),
};
const START = Date.parse('2026-12-01T10:00:00.000Z');
const WORLDS = ['arena-1', 'arena-2', 'arena-3', 'arena-4'];
const WINDOW = `from=${new Date(START).toISOString()}&to=${new Date(START + 1_800_000).toISOString()}`;

function databaseUrl(): string {
  const url = new URL(process.env['DATABASE_URL'] as string);
  url.searchParams.set('schema', `anvil_analytics_${run}`);
  return url.toString();
}

const env = () => ({
  BUS: 'kafka',
  KAFKA_BROKERS: BROKERS,
  BUS_TOPIC_PREFIX: PREFIX,
  DATABASE_URL: databaseUrl(),
  ANALYTICS_GROUP: `analytics-${run}`,
  LOG_LEVEL: 'warn',
});

/** Records no Anvil bus would publish: not JSON, not an event, bad data, no world key. */
const badJoin = JSON.stringify({
  ...createCloudEvent({
    type: EVENT_TYPES.playerJoined,
    source: '/test',
    subject: 'arena-3',
    tick: 1,
    data: { worldId: 'arena-3', playerId: 'x', bodyId: 'p:x' },
  }),
  data: { worldId: 'arena-3', bodyId: 'p:x' },
});
const garbage = {
  interaction: [
    { key: 'arena-1', value: 'not json {' },
    { key: 'arena-2', value: '{"hello":"world"}' },
    { key: 'arena-3', value: badJoin },
    { key: 'not a world id', value: 'garbage' },
  ],
  commands: [
    { key: 'arena-2', value: '\u0000\u0001binary' },
    { key: 'arena-4', value: '[1,2,3]' },
  ],
};

/** An event the bus delivers but whose key is another world's: malformed for the figures. */
const misKeyed = createCloudEvent({
  type: EVENT_TYPES.playerJoined,
  source: '/test',
  subject: 'arena-2',
  tick: 1,
  data: { worldId: 'arena-2', playerId: 'y', bodyId: 'p:y' },
  time: new Date(START),
});

/** The figures recounted from the raw records, with the same fold but none of the module's IO. */
function recount(records: RawRecord[]): FigureModel {
  const model = new FigureModel();
  for (const r of records) {
    let event: CloudEvent | undefined;
    try {
      event = parseCloudEvent(r.value);
    } catch {
      event = undefined;
    }
    const position = {
      topic: r.topic,
      partition: r.partition,
      offset: String(r.offset),
      key: r.key,
    };
    model.apply(event ? inputOf({ ...position, event }) : skippedInput(position));
  }
  return model;
}

async function get(app: AnalyticsProcess, path: string): Promise<any> {
  const response = await fetch(`${app.url}${path}`);
  return response.json();
}

/** Events and malformed records the process has applied, all worlds together. */
async function applied(app: AnalyticsProcess): Promise<number> {
  const list = await get(app, '/worlds?limit=1000');
  const worlds = list.worlds as Array<{ events: number; malformed: number }>;
  return worlds.reduce((n, w) => n + w.events + w.malformed, 0) + list.unattributed.malformed;
}

describe('the analytics module on Kafka and PostgreSQL', () => {
  const bus = new KafkaBus({ brokers: BROKERS.split(','), clientId: `analytics-int-${run}` });
  let app: AnalyticsProcess | undefined;
  afterAll(async () => {
    await app?.kill();
    await bus.close();
  });

  it('counts every event once across a SIGKILL and a restart: its figures equal a recount of the topics', async () => {
    const events = WORLDS.flatMap((worldId, i) =>
      worldStream(worldId, { start: START + i * 3_000, events: 150, seed: 101 + i }),
    );
    const publish = async (batch: typeof events) => {
      for (const worldId of WORLDS)
        for (const topic of ['interaction', 'commands'] as const) {
          const mine = batch.filter((e) => e.topic === topic && e.event.subject === worldId);
          if (mine.length > 0)
            await bus.publish(
              TOPICS[topic],
              worldId,
              mine.map((e) => e.event),
            );
        }
    };
    const half = Math.floor(events.length / 2);
    await publish(events.slice(0, half)); // creates the topics
    await produceRaw(BROKERS, TOPICS.interaction, garbage.interaction.slice(0, 2));
    await produceRaw(BROKERS, TOPICS.commands, garbage.commands.slice(0, 1));
    await bus.publish(TOPICS.interaction, 'arena-1', [misKeyed]);
    const planned = events.length + garbage.interaction.length + garbage.commands.length + 1;

    app = await startAnalytics(env());
    const publishing = (async () => {
      for (let i = half; i < events.length; i += 40) await publish(events.slice(i, i + 40));
    })();
    let atKill = 0;
    const deadline = Date.now() + 30_000;
    while (atKill < planned * 0.3 && Date.now() < deadline) {
      atKill = await applied(app);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await app.kill();
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(planned);
    await publishing;
    await produceRaw(BROKERS, TOPICS.interaction, garbage.interaction.slice(2));
    await produceRaw(BROKERS, TOPICS.commands, garbage.commands.slice(1));

    app = await startAnalytics(env());
    const model = recount(await readRaw(BROKERS, [TOPICS.interaction, TOPICS.commands]));
    const total = model
      .worldIds()
      .map((id) => model.rows(id)!.totals)
      .reduce((n, t) => n + t.events + t.malformed, 0);
    expect(total).toBe(planned);
    const caughtUp = Date.now() + 60_000;
    let now = 0;
    while ((now = await applied(app)) < total && Date.now() < caughtUp)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(now).toBe(total);

    const expected = new FiguresService(new ModelSource(model));
    const query = { bucketSeconds: 10, commandsBucketSeconds: 1 };
    for (const worldId of WORLDS) {
      const served = await get(app, `/worlds/${worldId}/figures?${WINDOW}`);
      const recounted = await expected.figures(worldId, {
        ...query,
        from: new Date(START),
        to: new Date(START + 1_800_000),
      });
      expect(served).toEqual(JSON.parse(JSON.stringify(recounted)));
      // And by hand, without the fold: the command-log entries and intents of the world.
      const entries = new Map(
        events
          .filter((e) => e.event.subject === worldId && e.topic === 'commands')
          .map((e) => [e.event.id, (e.event.data as CommandsAppliedData).intents.length]),
      );
      expect(served.totals).toMatchObject({
        commandEntries: entries.size,
        intents: [...entries.values()].reduce((a, b) => a + b, 0),
        epochMarkers: 1,
      });
    }
    // arena-1: not JSON, and the mis-keyed event (its key); arena-2: not an event, binary.
    expect((await get(app, '/worlds/arena-1/figures')).totals.malformed).toBe(2);
    expect((await get(app, '/worlds/arena-2/figures')).totals.malformed).toBe(2);
    expect((await get(app, '/worlds')).unattributed).toEqual({
      malformed: model.rows(UNATTRIBUTED)!.totals.malformed,
    });
    expect(model.rows(UNATTRIBUTED)!.totals.malformed).toBe(1);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/anvil_analytics_skipped_records_total \d+/);
  });
});

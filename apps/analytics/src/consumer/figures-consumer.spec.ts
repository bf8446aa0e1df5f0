import { EVENT_TYPES, InMemoryBus, createCloudEvent, type BusMessage } from '@anvil/bus';
import { InvalidInputError, type AnalyticsDelta, type AnalyticsEventKey } from '@anvil/storage';
import pino from 'pino';
import { AnalyticsMetrics } from '../metrics/analytics-metrics';
import { FiguresConsumer } from './figures-consumer';

const joined: BusMessage = {
  topic: 'anvil.world.interaction',
  key: 'arena-1',
  event: createCloudEvent({
    type: EVENT_TYPES.playerJoined,
    source: '/test',
    subject: 'arena-1',
    tick: 1,
    data: { worldId: 'arena-1', playerId: 'ann', bodyId: 'p:ann' },
    id: 'j1',
  }),
};

function consumerWith(apply: (key: AnalyticsEventKey, delta: AnalyticsDelta) => Promise<boolean>) {
  const metrics = new AnalyticsMetrics();
  const consumer = new FiguresConsumer({
    bus: new InMemoryBus(),
    analytics: {
      apply: (key, decide) => apply(key, decide({ playersNow: 0, joinedAt: null })),
    },
    metrics,
    logger: pino({ level: 'silent' }),
    group: 'g',
  });
  return { consumer, metrics };
}

describe('FiguresConsumer', () => {
  it('applies an event under its world, id and player', async () => {
    const calls: Array<[AnalyticsEventKey, AnalyticsDelta]> = [];
    const { consumer, metrics } = consumerWith(async (key, delta) => {
      calls.push([key, delta]);
      return calls.length === 1;
    });
    await consumer.handle(joined);
    await consumer.handle(joined);
    expect(calls[0][0]).toEqual({ worldId: 'arena-1', eventId: 'j1', playerId: 'ann' });
    expect(calls[0][1]).toMatchObject({ counts: { joins: 1 }, presence: 'joined' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('anvil_analytics_events_total{kind="joined",result="applied"} 1');
    expect(text).toContain('anvil_analytics_events_total{kind="joined",result="duplicate"} 1');
  });

  it('rejects when storage fails (the bus delivers again) but skips what storage refuses', async () => {
    const failing = consumerWith(async () => {
      throw new Error('connection lost');
    });
    await expect(failing.consumer.handle(joined)).rejects.toThrow('connection lost');
    const refusing = consumerWith(async () => {
      throw new InvalidInputError('eventId', 'too long');
    });
    await expect(refusing.consumer.handle(joined)).resolves.toBeUndefined();
  });

  it('counts a record the bus skipped as malformed, keyed by its position, retrying storage', async () => {
    let attempts = 0;
    const calls: AnalyticsEventKey[] = [];
    const { consumer, metrics } = consumerWith(async (key, delta) => {
      if (++attempts < 3) throw new Error('busy');
      calls.push(key);
      expect(delta).toEqual({ at: null, counts: { malformed: 1 } });
      return true;
    });
    consumer.skipped({ topic: 'anvil.world.commands', partition: 1, offset: '9', key: 'arena-1' });
    await consumer.close();
    expect(calls).toEqual([
      { worldId: 'arena-1', eventId: 'record:anvil.world.commands:1:9', playerId: undefined },
    ]);
    expect(await metrics.registry.metrics()).toContain('anvil_analytics_skipped_records_total 1');
  });
});

import {
  EVENT_TYPES,
  GAME_STATE_MAX_BYTES,
  InMemoryBus,
  worldTopic,
  type BusMessage,
  type EventBus,
} from '@anvil/bus';
import { InteractionEvents, MAX_UNACKNOWLEDGED_EVENTS } from './interaction-events';

/**
 * The real in-memory bus whose acknowledgements the test releases by hand (a broker that
 * is slow or down): each publish reaches the bus at once, in call order, and settles on `ack()`.
 */
function heldAcks(bus: InMemoryBus) {
  const acks: Array<() => void> = [];
  const held: EventBus = {
    publish: (topic, key, events) => {
      const sent = bus.publish(topic, key, events);
      return new Promise<void>((resolve, reject) => acks.push(() => sent.then(resolve, reject)));
    },
    subscribe: (options, handler) => bus.subscribe(options, handler),
    close: () => bus.close(),
  };
  return {
    bus: held,
    ackAll: () => acks.splice(0).forEach((ack) => ack()),
    waiting: () => acks.length,
  };
}

const SOURCE = '/anvil/test-game';

const joined = (playerId: string) => ({
  kind: 'joined' as const,
  playerId,
  bodyId: `p:${playerId}`,
});

describe('InteractionEvents', () => {
  let bus: InMemoryBus;
  const received: BusMessage[] = [];
  beforeEach(async () => {
    bus = new InMemoryBus();
    received.length = 0;
    await bus.subscribe(
      { topic: worldTopic('interaction'), group: 't', fromBeginning: true },
      async (m) => {
        received.push(m);
      },
    );
  });
  afterEach(() => bus.close());

  it('does not make a command wait for the acknowledgement, and keeps the order of the calls', async () => {
    const acks = heldAcks(bus);
    const events = new InteractionEvents(
      acks.bus,
      (error) => {
        throw error;
      },
      { source: SOURCE },
    );
    for (let i = 0; i < 5; i++) await events.publish('w1', i + 1, joined(`p${i}`));
    expect(events.pending).toBe(5);
    acks.ackAll();
    await events.flush();
    for (let i = 0; i < 500 && received.length < 5; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(received.map((m) => (m.event.data as { playerId: string }).playerId)).toEqual([
      'p0',
      'p1',
      'p2',
      'p3',
      'p4',
    ]);
    expect(events.pending).toBe(0);
  });

  it('makes publishers wait once MAX_UNACKNOWLEDGED_EVENTS are outstanding, and lets them go as acks arrive', async () => {
    const acks = heldAcks(bus);
    const events = new InteractionEvents(
      acks.bus,
      (error) => {
        throw error;
      },
      { source: SOURCE },
    );
    for (let i = 0; i < MAX_UNACKNOWLEDGED_EVENTS; i++)
      await events.publish('w1', i + 1, joined(`p${i}`));
    let published = false;
    const waiting = events.publish('w1', 0, joined('late')).then(() => (published = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(published).toBe(false);
    expect(events.pending).toBe(MAX_UNACKNOWLEDGED_EVENTS);
    acks.ackAll();
    await waiting;
    acks.ackAll();
    await events.flush();
    expect(events.pending).toBe(0);
    // A thousand publishes one after the other: seconds on a loaded machine.
  }, 30_000);

  it('reports a failed publish to onError instead of failing the command', async () => {
    const failures: string[] = [];
    const broken: EventBus = {
      ...bus,
      publish: async () => Promise.reject(new Error('broker gone')),
      subscribe: bus.subscribe.bind(bus),
      close: bus.close.bind(bus),
    };
    const events = new InteractionEvents(
      broken,
      (error, worldId, type) => failures.push(`${worldId} ${type} ${String(error)}`),
      { source: SOURCE },
    );
    await expect(events.publish('w1', 1, joined('a'))).resolves.toBeUndefined();
    await events.flush();
    expect(failures).toEqual(['w1 dev.anvil.interaction.player-joined.v1 Error: broker gone']);
  });

  it("publishes a game's own event with the world id, its source and a deterministic id", async () => {
    const events = new InteractionEvents(bus, fail, { source: SOURCE });
    const tagged = {
      kind: 'game' as const,
      type: 'dev.anvil.tag.tagged.v1',
      discriminator: '3',
      data: { taggerId: 'a', taggedId: 'b' },
    };
    await events.publish('w1', 7, tagged);
    await events.publish('w1', 7, tagged);
    await events.flush();
    await until(() => received.length === 2);
    expect(received[0].key).toBe('w1');
    expect(received[0].event).toMatchObject({
      id: 'dev.anvil.tag.tagged.v1/w1/7/3',
      type: 'dev.anvil.tag.tagged.v1',
      source: SOURCE,
      subject: 'w1',
      tick: 7,
      data: { worldId: 'w1', taggerId: 'a', taggedId: 'b' },
    });
    expect(received[1].event.id).toBe(received[0].event.id);
  });

  it('publishes game state under one id per state and tick, and reports a state over the bounds instead of throwing', async () => {
    const failures: string[] = [];
    const events = new InteractionEvents(
      bus,
      (error, _w, type) => failures.push(`${type} ${error}`),
      {
        source: SOURCE,
      },
    );
    await events.publishState('w1', 4, 'tag-game', { it: 'a', tags: 1 });
    await events.publishState('w1', 4, 'tag-game', { it: 'b', tags: 2 });
    await events.publishState('w1', 4, 'tag-game', { big: 'x'.repeat(GAME_STATE_MAX_BYTES) });
    await events.flush();
    await until(() => received.length === 2);
    expect(received.map((m) => m.event.type)).toEqual([
      EVENT_TYPES.gameState,
      EVENT_TYPES.gameState,
    ]);
    expect(received[0].event.data).toEqual({
      worldId: 'w1',
      module: 'tag-game',
      state: { it: 'a', tags: 1 },
    });
    expect(received[0].event.id).not.toBe(received[1].event.id);
    expect(received[0].event.id).toMatch(/^dev\.anvil\.interaction\.game-state\.v1\/w1\/4\//);
    expect(failures).toEqual([expect.stringMatching(/game-state.*data\.state/)]);
  });
});

const fail = (error: unknown) => {
  throw error;
};

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

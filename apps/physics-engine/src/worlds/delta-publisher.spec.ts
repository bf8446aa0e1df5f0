import {
  InMemoryBus,
  worldTopic,
  type BusMessage,
  type CloudEvent,
  type EventBus,
} from '@anvil/bus';
import type { StepResult } from '../simulation/world-simulation';
import { DeltaPublisher, MAX_PUBLISH_BACKLOG } from './delta-publisher';

const step = (tick: number, x = tick): StepResult => ({
  tick,
  changed: [{ id: 'ball', x, y: 0, angle: 0, vx: 1, vy: 0 }],
  removed: [],
  applied: [],
});

/** The real in-memory bus behind a gate: publishes wait while it is closed (a broker that is down). */
function stalledBus(bus: InMemoryBus) {
  let open!: () => void;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const calls: number[][] = [];
  const stalled: EventBus = {
    publish: async (topic: string, key: string, events: CloudEvent[]) => {
      calls.push(events.map((e) => e.tick as number));
      await gate;
      return bus.publish(topic, key, events);
    },
    subscribe: (options, handler) => bus.subscribe(options, handler),
    close: () => bus.close(),
  };
  return {
    bus: stalled,
    /** The ticks of each publish call, in call order. */
    calls,
    open: () => open(),
    close: () => (gate = new Promise<void>((resolve) => (open = resolve))),
  };
}

describe('DeltaPublisher', () => {
  let bus: InMemoryBus;
  const received: BusMessage[] = [];
  beforeEach(async () => {
    bus = new InMemoryBus();
    received.length = 0;
    await bus.subscribe(
      { topic: worldTopic('physics'), group: 'test', fromBeginning: true },
      async (m) => {
        received.push(m);
      },
    );
  });
  afterEach(() => bus.close());
  /** What the subscriber received once `count` messages arrived (bounded wait: deliveries are async). */
  const deliveredTicks = async (count: number) => {
    for (let i = 0; i < 500 && received.length < count; i++)
      await new Promise((r) => setTimeout(r, 10));
    return received.map((m) => m.event.data as { tick: number; fromTick?: number });
  };

  it('publishes one delta per tick, in tick order, when the bus keeps up', async () => {
    const publisher = new DeltaPublisher(bus, 'w1', (error) => {
      throw error;
    });
    for (let t = 1; t <= 10; t++) publisher.publish(step(t));
    await publisher.flush();
    expect((await deliveredTicks(10)).map((d) => d.tick)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(publisher.stats()).toEqual({ published: 10, failed: 0, inFlight: 0, merged: 0 });
  });

  it('sends the ticks that stepped during a slow publish together in the next one, in order', async () => {
    const gate = stalledBus(bus);
    const publisher = new DeltaPublisher(gate.bus, 'w1', (error) => {
      throw error;
    });
    publisher.publish(step(1));
    for (let t = 2; t <= 5; t++) publisher.publish(step(t));
    expect(publisher.stats()).toMatchObject({ inFlight: 5, published: 0 });
    gate.open();
    await publisher.flush();
    expect(gate.calls).toEqual([[1], [2, 3, 4, 5]]);
    expect((await deliveredTicks(5)).map((d) => d.tick)).toEqual([1, 2, 3, 4, 5]);
    expect(publisher.stats()).toEqual({ published: 5, failed: 0, inFlight: 0, merged: 0 });
  });

  it('counts a refused publish as failed for each of its ticks and goes on with the next ones', async () => {
    let refuse = true;
    const errors: number[] = [];
    const flaky: EventBus = {
      publish: async (topic, key, events) => {
        if (refuse) throw new Error('broker down');
        return bus.publish(topic, key, events);
      },
      subscribe: (options, handler) => bus.subscribe(options, handler),
      close: () => bus.close(),
    };
    const publisher = new DeltaPublisher(flaky, 'w1', (_error, tick) => errors.push(tick));
    publisher.publish(step(1));
    publisher.publish(step(2));
    await publisher.flush();
    refuse = false;
    publisher.publish(step(3));
    await publisher.flush();
    expect(errors).toEqual([1, 2]);
    expect((await deliveredTicks(1)).map((d) => d.tick)).toEqual([3]);
    expect(publisher.stats()).toEqual({ published: 1, failed: 2, inFlight: 0, merged: 0 });
  });

  it('holds at most MAX_PUBLISH_BACKLOG publishes while the bus is stalled and merges the ticks after them', async () => {
    const gate = stalledBus(bus);
    const publisher = new DeltaPublisher(gate.bus, 'w1', (error) => {
      throw error;
    });
    const ticks = MAX_PUBLISH_BACKLOG + 100;
    for (let t = 1; t <= ticks; t++) publisher.publish(step(t));
    expect(publisher.stats()).toMatchObject({ inFlight: MAX_PUBLISH_BACKLOG, merged: 99 });
    gate.open();
    await publisher.flush();
    const delivered = await deliveredTicks(MAX_PUBLISH_BACKLOG + 1);
    expect(delivered).toHaveLength(MAX_PUBLISH_BACKLOG + 1);
    expect(delivered.slice(0, MAX_PUBLISH_BACKLOG).map((d) => d.tick)).toEqual(
      Array.from({ length: MAX_PUBLISH_BACKLOG }, (_, i) => i + 1),
    );
    // The last one covers every held tick and carries the latest state.
    const last = received[received.length - 1].event.data as {
      tick: number;
      fromTick: number;
      bodies: Array<{ x: number }>;
    };
    expect(last).toMatchObject({
      fromTick: MAX_PUBLISH_BACKLOG + 1,
      tick: ticks,
      bodies: [{ x: ticks }],
    });
    expect(publisher.stats()).toMatchObject({ published: MAX_PUBLISH_BACKLOG + 1, inFlight: 0 });
  });
});

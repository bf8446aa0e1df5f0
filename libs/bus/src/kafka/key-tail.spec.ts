// KeyTail with a scripted consumer and admin client: at a join, a partition whose leader is not
// ready yet answers the offsets request with a retriable error, which is asked again until the
// join timeout, and any other error stops the tail at once; reads made together share their
// request for the partitions' ends. Reading a real topic is in test/read-key.int.spec.ts.
import { KafkaJSProtocolError, type Admin, type Kafka } from 'kafkajs';

import { KeyTail } from './key-tail';

const TOPIC = 'worlds.log';

/** A consumer that joins its group with both partitions as soon as it runs. */
function scriptedKafka(seeks: Array<{ partition: number; offset: string }>): Kafka {
  const handlers = new Map<string, (event: { payload: unknown }) => void>();
  const consumer = {
    events: { GROUP_JOIN: 'group.join', CRASH: 'crash' },
    on: (name: string, handler: (event: { payload: unknown }) => void) => {
      handlers.set(name, handler);
    },
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async () => {
      handlers.get('group.join')!({ payload: { memberAssignment: { [TOPIC]: [0, 1] } } });
    },
    seek: (entry: { partition: number; offset: string }) => seeks.push(entry),
    disconnect: async () => undefined,
  };
  return { consumer: () => consumer } as unknown as Kafka;
}

/** An admin whose offsets requests fail with `failures`, in order, then answer. */
function scriptedAdmin(failures: Error[]): { admin: Admin; calls: () => number } {
  let calls = 0;
  const answer = <T>(value: T) => {
    calls += 1;
    const failure = failures.shift();
    return failure ? Promise.reject(failure) : Promise.resolve(value);
  };
  const admin = {
    fetchTopicOffsets: () =>
      answer([0, 1].map((partition) => ({ partition, offset: '9', high: '9', low: '0' }))),
    fetchTopicOffsetsByTimestamp: () =>
      answer([0, 1].map((partition) => ({ partition, offset: String(partition + 3) }))),
  } as unknown as Admin;
  return { admin, calls: () => calls };
}

/** What kafkajs throws for a partition whose leader is not ready (its typings take an Error). */
const notLeader = () =>
  new KafkaJSProtocolError({
    type: 'NOT_LEADER_FOR_PARTITION',
    code: 6,
    retriable: true,
    message: 'This server is not the leader for that topic-partition',
  } as unknown as Error);

function tailOf(
  admin: Admin,
  seeks: Array<{ partition: number; offset: string }>,
  logged: string[],
) {
  const context = {
    kafka: scriptedKafka(seeks),
    admin: async () => admin,
    log: (level: string, message: string) => logged.push(`${level}: ${message}`),
    joinTimeoutMs: 1_000,
  };
  return new KeyTail(context, TOPIC, { retainMs: 60_000, maxBytes: 1 << 20 });
}

describe('KeyTail positioning', () => {
  it('asks again while a partition has no ready leader, then seeks every partition to its offset of retainMs ago', async () => {
    const seeks: Array<{ partition: number; offset: string }> = [];
    const { admin, calls } = scriptedAdmin([notLeader(), notLeader()]);
    const logged: string[] = [];
    await tailOf(admin, seeks, logged).start();
    expect(seeks).toEqual([
      { topic: TOPIC, partition: 0, offset: '3' },
      { topic: TOPIC, partition: 1, offset: '4' },
    ]);
    expect(calls()).toBeGreaterThanOrEqual(4);
    expect(logged).toEqual([]);
  });

  it('gives up at once on an error that is not retriable: the tail stops and says why', async () => {
    const seeks: Array<{ partition: number; offset: string }> = [];
    const { admin } = scriptedAdmin([new Error('authorization failed')]);
    const logged: string[] = [];
    await expect(tailOf(admin, seeks, logged).start()).rejects.toThrow('authorization failed');
    expect(seeks).toEqual([]);
    expect(logged).toEqual(['warn: could not position the consumer following a topic']);
  });

  it('gives up once the join timeout is spent while the leader is still not ready', async () => {
    const seeks: Array<{ partition: number; offset: string }> = [];
    const { admin } = scriptedAdmin(Array.from({ length: 1_000 }, notLeader));
    const logged: string[] = [];
    await expect(tailOf(admin, seeks, logged).start()).rejects.toThrow(/not the leader|within/);
    expect(seeks).toEqual([]);
  });

  it('asks for the ends once for the reads that come while a request is on its way, once more after it for those (never an answer asked before a read began)', async () => {
    const ends = [0, 1].map((partition) => ({ partition, offset: '5', high: '5', low: '0' }));
    const held: Array<() => void> = [];
    let asked = 0;
    const admin = {
      fetchTopicOffsets: () => {
        asked += 1;
        if (asked === 1) return Promise.resolve(ends); // the positioning's
        return new Promise((resolve) => held.push(() => resolve(ends)));
      },
      fetchTopicOffsetsByTimestamp: async () =>
        [0, 1].map((partition) => ({ partition, offset: '5' })),
    } as unknown as Admin;
    const tail = tailOf(admin, [], []);
    await tail.start();
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const since = Date.now() - 1_000;
    const first = tail.read('world-0', since);
    await turn();
    const later = Array.from({ length: 9 }, (_, i) => tail.read(`world-${i}`, since));
    await turn();
    expect(asked).toBe(2);
    held.shift()!();
    await expect(first).resolves.toEqual([]);
    await turn();
    expect(asked).toBe(3);
    held.shift()!();
    await expect(Promise.all(later)).resolves.toEqual(later.map(() => []));
    expect(asked).toBe(3);
    expect(tail.stats()).toMatchObject({ answered: 10, passed: 0 });
  });
});

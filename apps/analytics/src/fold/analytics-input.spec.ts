import { EVENT_TYPES, type BusMessage, type CloudEvent } from '@anvil/bus';
import { UNATTRIBUTED, inputOf, skippedInput } from './analytics-input';

const TIME = '2026-12-01T10:00:03.250Z';
const AT = Date.parse(TIME);

function message(type: string, data: unknown, overrides: Partial<BusMessage> = {}): BusMessage {
  // Built by hand: createCloudEvent would refuse the bad data these tests need.
  const event: CloudEvent = {
    specversion: '1.0',
    id: `id-${type}`,
    source: '/test',
    type,
    subject: 'arena-1',
    time: TIME,
    datacontenttype: 'application/json',
    tick: 3,
    data,
  };
  return { topic: 't', key: 'arena-1', event, ...overrides };
}

const joined = { worldId: 'arena-1', playerId: 'ann', bodyId: 'p:ann' };

describe('inputOf', () => {
  it('reads joins, leaves, command-log entries and other events with their event time', () => {
    expect(inputOf(message(EVENT_TYPES.playerJoined, joined))).toEqual({
      kind: 'joined',
      worldId: 'arena-1',
      eventId: `id-${EVENT_TYPES.playerJoined}`,
      at: AT,
      playerId: 'ann',
    });
    expect(
      inputOf(message(EVENT_TYPES.playerLeft, { ...joined, reason: 'disconnected' })),
    ).toMatchObject({ kind: 'left', playerId: 'ann', at: AT });
    const entry = { worldId: 'arena-1', tick: 3, seq: 1, epoch: 0, intents: [{ type: 'a' }] };
    expect(inputOf(message(EVENT_TYPES.commandsApplied, entry))).toMatchObject({
      kind: 'commands',
      intents: 1,
    });
    expect(inputOf(message(EVENT_TYPES.commandsApplied, { ...entry, intents: [] }))).toMatchObject({
      kind: 'commands',
      intents: 0,
    });
    expect(inputOf(message('com.example.unknown.v1', { anything: true }))).toMatchObject({
      kind: 'other',
      at: AT,
    });
  });

  it('finds malformed whatever does not fit, attributed to the key when it is a world id', () => {
    const cases: BusMessage[] = [
      message(EVENT_TYPES.playerJoined, { ...joined, playerId: 7 }),
      message(EVENT_TYPES.playerJoined, { ...joined, worldId: 'other' }),
      message(EVENT_TYPES.playerJoined, { ...joined, playerId: 'x'.repeat(300) }),
      message(EVENT_TYPES.commandsApplied, { worldId: 'arena-1', tick: 1, seq: 0, epoch: 0 }),
      message(EVENT_TYPES.playerJoined, joined, { key: 'arena-2' }),
    ];
    for (const bad of cases) {
      expect(inputOf(bad)).toMatchObject({ kind: 'malformed', worldId: bad.key });
    }
    const longId = message(EVENT_TYPES.playerJoined, joined);
    longId.event.id = 'i'.repeat(1_000);
    expect(inputOf(longId)).toMatchObject({
      kind: 'malformed',
      eventId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(inputOf(message(EVENT_TYPES.playerJoined, joined, { key: 'no spaces' }))).toMatchObject({
      kind: 'malformed',
      worldId: UNATTRIBUTED,
    });
    expect(inputOf({ topic: 't', key: 'k' } as unknown as BusMessage)).toMatchObject({
      kind: 'malformed',
      worldId: 'k',
    });
  });

  it('keys a record the bus skipped by its position', () => {
    expect(skippedInput({ topic: 'x.t', partition: 2, offset: '17', key: 'arena-1' })).toEqual({
      kind: 'malformed',
      worldId: 'arena-1',
      eventId: 'record:x.t:2:17',
      reason: 'not a valid Anvil CloudEvent',
    });
    expect(skippedInput({ topic: 'x', partition: 0, offset: '1', key: '' }).worldId).toBe(
      UNATTRIBUTED,
    );
  });
});

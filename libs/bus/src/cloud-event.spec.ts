import fc from 'fast-check';

import {
  MAX_EVENT_BYTES,
  createCloudEvent,
  deterministicEventId,
  parseCloudEvent,
  validateCloudEvent,
} from './cloud-event';
import { InvalidEventError } from './errors';
import { EVENT_TYPES, GAME_STATE_MAX_BYTES, type PhysicsDeltaData } from './events';

const delta: PhysicsDeltaData = {
  worldId: 'arena-1',
  tick: 42,
  bodies: [{ id: 'ball-1', x: 1500, y: -20, angle: 785, vx: 0, vy: -981 }],
};
const init = {
  type: EVENT_TYPES.physicsDelta,
  source: '/anvil/physics-engine',
  subject: 'arena-1',
  tick: 42,
  data: delta,
};

function invalid(fn: () => unknown): InvalidEventError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).name).toBe('InvalidEventError');
    return error as InvalidEventError;
  }
  throw new Error('expected an InvalidEventError');
}

describe('createCloudEvent', () => {
  it('fills the envelope: specversion, random UUID id, ISO time, JSON content type', () => {
    const event = createCloudEvent(init);
    expect(event).toMatchObject({
      specversion: '1.0',
      datacontenttype: 'application/json',
      ...init,
    });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(event.time).toISOString()).toBe(event.time);
    expect(createCloudEvent(init).id).not.toBe(event.id);
  });

  it('keeps a given id and time (a Date or a string)', () => {
    const id = deterministicEventId(init.type, init.subject, init.tick);
    expect(id).toBe('dev.anvil.physics.delta.v1/arena-1/42');
    const event = createCloudEvent({ ...init, id, time: new Date(Date.UTC(2026, 10, 24)) });
    expect(event.id).toBe(id);
    expect(event.time).toBe('2026-11-24T00:00:00.000Z');
    expect(createCloudEvent({ ...init, time: '2026-11-24T10:00:00+01:00' }).time).toBe(
      '2026-11-24T10:00:00+01:00',
    );
    expect(deterministicEventId(EVENT_TYPES.playerJoined, 'w', 3, 'p-7')).toBe(
      'dev.anvil.interaction.player-joined.v1/w/3/p-7',
    );
  });

  it('refuses a bad attribute, naming it', () => {
    expect(invalid(() => createCloudEvent({ ...init, tick: -1 })).field).toBe('tick');
    expect(invalid(() => createCloudEvent({ ...init, tick: 1.5 })).message).toMatch(
      /tick must be a non-negative integer/,
    );
    expect(invalid(() => createCloudEvent({ ...init, subject: '' })).field).toBe('subject');
    expect(invalid(() => createCloudEvent({ ...init, time: 'yesterday' })).field).toBe('time');
    expect(invalid(() => createCloudEvent({ ...init, data: undefined })).field).toBe('data');
  });

  it('checks the data of the platform event types', () => {
    const bad = { ...delta, bodies: [{ ...delta.bodies[0], x: 1.25 }] };
    const error = invalid(() => createCloudEvent({ ...init, data: bad }));
    expect(error.field).toBe('data.bodies[0].x');
    expect(error.message).toBe('data.bodies[0].x must be an integer, got number 1.25');
    const body = delta.bodies[0]!;
    const field = (bodies: unknown[]) =>
      invalid(() => createCloudEvent({ ...init, data: { ...delta, bodies } })).field;
    expect(field([body, null])).toBe('data.bodies[1]');
    expect(field([{ ...body, id: '' }])).toBe('data.bodies[0].id');
    expect(field([{ ...body, vy: Number.MAX_SAFE_INTEGER + 1 }])).toBe('data.bodies[0].vy');
    const joined = {
      type: EVENT_TYPES.playerJoined,
      source: '/anvil/interaction-engine',
      subject: 'w',
      tick: 0,
    };
    expect(
      invalid(() => createCloudEvent({ ...joined, data: { worldId: 'w', playerId: 'p' } })).field,
    ).toBe('data.bodyId');
    const left = {
      ...joined,
      type: EVENT_TYPES.playerLeft,
      data: { worldId: 'w', playerId: 'p', bodyId: 'b', reason: 'bored' },
    };
    expect(invalid(() => createCloudEvent(left)).field).toBe('data.reason');
    const rejected = {
      worldId: 'w',
      playerId: 'p',
      clientSeq: -1,
      code: 'RATE_LIMITED',
      message: 'slow down',
    };
    expect(
      invalid(() =>
        createCloudEvent({ ...joined, type: EVENT_TYPES.commandRejected, data: rejected }),
      ).field,
    ).toBe('data.clientSeq');
    expect(
      createCloudEvent({ ...init, type: 'com.example.custom.v1', data: { anything: true } }).data,
    ).toEqual({ anything: true });
  });

  it('checks a command-log entry: seq from 1, epoch from 0, typed intents (none: an epoch marker)', () => {
    const entry = {
      worldId: 'w',
      tick: 3,
      seq: 1,
      epoch: 0,
      intents: [{ type: 'removeBody', bodyId: 'a' }],
    };
    const logged = { ...init, type: EVENT_TYPES.commandsApplied, tick: 3 };
    expect(createCloudEvent({ ...logged, data: entry }).data).toEqual(entry);
    const field = (data: object) => invalid(() => createCloudEvent({ ...logged, data })).field;
    expect(field({ ...entry, seq: 0 })).toBe('data.seq');
    expect(field({ ...entry, epoch: -1 })).toBe('data.epoch');
    expect(field({ ...entry, tick: -1 })).toBe('data.tick');
    expect(field({ ...entry, intents: {} })).toBe('data.intents');
    const marker = { ...entry, tick: 0, intents: [] };
    expect(createCloudEvent({ ...logged, tick: 0, data: marker }).data).toEqual(marker);
    expect(field({ ...entry, intents: [{ bodyId: 'a' }] })).toBe('data.intents[0].type');
    // Idempotency keys, optional: one string per intent ('' for none).
    const keyed = { ...entry, keys: ['gw-1:s:7'] };
    expect(createCloudEvent({ ...logged, data: keyed }).data).toEqual(keyed);
    expect(createCloudEvent({ ...logged, data: { ...entry, keys: [''] } })).toBeTruthy();
    expect(field({ ...entry, keys: 'k' })).toBe('data.keys');
    expect(field({ ...entry, keys: ['a', 'b'] })).toBe('data.keys');
    expect(field({ ...entry, keys: [7] })).toBe('data.keys[0]');
  });

  it('bounds a game state: an object, nested at most 4 deep, at most 16 KiB of JSON', () => {
    const data = { worldId: 'w', module: 'tag-game', state: { it: 'a', scores: { a: 1 } } };
    const typed = { ...init, type: EVENT_TYPES.gameState };
    expect(createCloudEvent({ ...typed, data }).data).toEqual(data);
    const field = (d: object) => invalid(() => createCloudEvent({ ...typed, data: d })).field;
    expect(field({ ...data, module: '' })).toBe('data.module');
    expect(field({ ...data, state: [1] })).toBe('data.state');
    const fourDeep = { a: { b: { c: { d: 1 } } } };
    expect(createCloudEvent({ ...typed, data: { ...data, state: fourDeep } })).toBeTruthy();
    expect(field({ ...data, state: { e: fourDeep } })).toBe('data.state');
    expect(field({ ...data, state: { big: 'x'.repeat(GAME_STATE_MAX_BYTES) } })).toBe('data.state');
  });
});

describe('parseCloudEvent', () => {
  const event = createCloudEvent(init);

  it('parses a string or bytes back to the same event', () => {
    expect(parseCloudEvent(JSON.stringify(event))).toEqual(event);
    expect(parseCloudEvent(Buffer.from(JSON.stringify(event)))).toEqual(event);
    expect(parseCloudEvent(new TextEncoder().encode(JSON.stringify(event)))).toEqual(event);
  });

  it('bounds the distributed-tracing attributes: strings of at most 512 characters', () => {
    for (const key of ['traceparent', 'tracestate']) {
      expect(
        invalid(() => parseCloudEvent(JSON.stringify({ ...event, [key]: 7 }))).message,
      ).toMatch(key);
      expect(
        invalid(() => parseCloudEvent(JSON.stringify({ ...event, [key]: 'x'.repeat(513) })))
          .message,
      ).toMatch('at most 512');
    }
  });

  it('keeps extension attributes and defaults a missing datacontenttype', () => {
    const { datacontenttype: _omitted, ...rest } = event;
    const parsed = parseCloudEvent(JSON.stringify({ ...rest, traceparent: '00-abc-def-01' }));
    expect(parsed).toMatchObject({
      datacontenttype: 'application/json',
      traceparent: '00-abc-def-01',
    });
  });

  it('explains what is wrong', () => {
    expect(invalid(() => parseCloudEvent('{not json')).message).toMatch(/^event is not valid JSON/);
    expect(invalid(() => parseCloudEvent('[1]')).message).toBe(
      'event must be a JSON object, got an array',
    );
    expect(
      invalid(() => parseCloudEvent(JSON.stringify({ ...event, specversion: '0.3' }))).field,
    ).toBe('specversion');
    expect(
      invalid(() => parseCloudEvent(JSON.stringify({ ...event, datacontenttype: 'text/xml' })))
        .field,
    ).toBe('datacontenttype');
    expect(invalid(() => parseCloudEvent(JSON.stringify({ ...event, id: 7 }))).message).toBe(
      'id must be a non-empty string, got number 7',
    );
    expect(invalid(() => parseCloudEvent(42 as unknown as string)).message).toMatch(
      /JSON string or bytes/,
    );
  });

  it('refuses oversized input before parsing it', () => {
    const huge = JSON.stringify({ ...event, data: 'x'.repeat(MAX_EVENT_BYTES) });
    expect(invalid(() => parseCloudEvent(huge)).message).toMatch(
      /bytes, more than the limit of 1048576/,
    );
    expect(invalid(() => parseCloudEvent(JSON.stringify(event), { maxBytes: 10 })).message).toMatch(
      /limit of 10$/,
    );
  });

  it('can leave data unchecked', () => {
    const odd = JSON.stringify({ ...event, data: { worldId: 'w' } });
    expect(() => parseCloudEvent(odd)).toThrow(InvalidEventError);
    expect(parseCloudEvent(odd, { checkData: false }).data).toEqual({ worldId: 'w' });
    expect(validateCloudEvent(JSON.parse(odd), { checkData: false }).subject).toBe('arena-1');
  });

  it('round-trips any valid event through JSON', () => {
    fc.assert(
      fc.property(
        fc.record({
          type: fc.string({ minLength: 1 }),
          source: fc.string({ minLength: 1 }),
          subject: fc.string({ minLength: 1 }),
          tick: fc.nat(),
          data: fc.jsonValue().filter((value) => value !== undefined),
          time: fc.date({
            min: new Date(0),
            max: new Date(Date.UTC(9999, 0)),
            noInvalidDate: true,
          }),
        }),
        (fields) => {
          const created = createCloudEvent({ ...fields, type: `x.${fields.type}` });
          expect(parseCloudEvent(JSON.stringify(created))).toEqual(
            JSON.parse(JSON.stringify(created)),
          );
        },
      ),
    );
  });
});

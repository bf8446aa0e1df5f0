// Property: whatever JSON an authenticated client sends (up to 64 KiB of content, nested up to
// 100,000 levels, as any event of either namespace, with or without an ack), it gets a coded
// answer or a closed connection, and a well-behaved player joined to a world keeps receiving
// its deltas. Deep values are written as text on the real client's transport (testing/raw.ts).
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { ErrorCode } from '../src/errors/error-codes';
import { ADMIN_INBOUND_EVENTS, INBOUND_EVENTS } from '../src/protocol/events';
import { connect, record, request, token } from '../src/testing/clients';
import { pollUntil } from '../src/testing/engines';
import { body, publishDelta } from '../src/testing/events';
import { rawRequest } from '../src/testing/raw';
import { startStack, type Stack } from '../src/testing/stack';

jest.setTimeout(240_000);

const CODES = new Set<string>(Object.values(ErrorCode));
const EVENTS = [...INBOUND_EVENTS, ...ADMIN_INBOUND_EVENTS, 'no:such-event'];

/** JSON text of `leaf` wrapped in `depth` arrays/objects (cycling through `pattern`), built without recursion. */
function wrap(leaf: string, depth: number, pattern: readonly boolean[]): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    const array = pattern[i % pattern.length];
    open.push(array ? '[' : '{"k":');
    close.push(array ? ']' : '}');
  }
  return open.join('') + leaf + close.reverse().join('');
}

const leaf = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ maxLength: 64 * 1024 - 2 }).map((s) => JSON.stringify(s)),
  fc.array(fc.integer(), { maxLength: 8_000 }).map((a) => JSON.stringify(a)),
);
// Mostly the namespace's own events (which reach the shape check), sometimes any other name.
const namespaceAndEvent = fc.oneof(
  fc.record({ namespace: fc.constant('/'), event: fc.constantFrom(...INBOUND_EVENTS) }),
  fc.record({ namespace: fc.constant('/admin'), event: fc.constantFrom(...ADMIN_INBOUND_EVENTS) }),
  fc.record({ namespace: fc.constantFrom('/', '/admin'), event: fc.constantFrom(...EVENTS) }),
);
const message = fc.record({
  target: namespaceAndEvent,
  withAck: fc.boolean(),
  json: fc
    .tuple(
      leaf,
      fc.oneof(fc.integer({ min: 0, max: 40 }), fc.noBias(fc.integer({ min: 0, max: 100_000 }))),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
    )
    .map(([text, depth, pattern]) => wrap(text, depth, pattern)),
});

describe('any payload, any event (property)', () => {
  let stack: Stack;
  let player: Socket;
  let deltas: Array<{ tick: number }>;
  let tick = 0;
  const attackers: Partial<Record<string, Socket>> = {};
  const attacker = async (namespace: string) => {
    const current = attackers[namespace];
    if (current?.connected) return current;
    current?.close();
    const auth =
      namespace === '/'
        ? { token: token('fuzzer') }
        : { token: token('fuzz-admin', { roles: ['admin'] }) };
    const socket = await connect(`${stack.gateway.url}${namespace === '/' ? '' : namespace}`, auth);
    attackers[namespace] = socket;
    return socket;
  };

  beforeAll(async () => {
    // Every message reaches the gateway's checks (none is cut off by the transport's limit).
    stack = await startStack({
      MAX_MESSAGE_BYTES: String(1024 * 1024),
      MAX_EVENT_BYTES: String(64 * 1024),
      RATE_LIMIT_BURST: '1000',
      RATE_LIMIT_PER_SECOND: '1000',
    });
    await stack.world('arena');
    player = await connect(stack.gateway.url, { token: token('player') });
    deltas = record<{ tick: number }>(player, 'delta');
    const ack = await request<{ tick: number }>(player, 'world:join', { worldId: 'arena' });
    tick = ack.tick + 10_000;
  });
  afterAll(async () => {
    player?.close();
    for (const socket of Object.values(attackers)) socket?.close();
    await stack?.stop();
  });

  it('answers every message with a code (or closes its connection) and the joined player keeps getting deltas', async () => {
    await fc.assert(
      fc.asyncProperty(message, async ({ target: { namespace, event }, withAck, json }) => {
        const socket = await attacker(namespace);
        const outcome = await rawRequest(socket, event, json, withAck);
        if (outcome.kind !== 'closed') {
          const answer = outcome.answer;
          expect(answer['ok'] === true || CODES.has(String(answer['code']))).toBe(true);
        }
        const sent = ++tick;
        await publishDelta(stack.bus, 'arena', sent, [body('crate', sent)]);
        await pollUntil(
          () => deltas.some((d) => d.tick === sent),
          10_000,
          `delta ${sent} at the joined player`,
          20,
        );
        expect(player.connected).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});

import fc from 'fast-check';
import { PreconditionError, InvalidCommandError, SenderFencedError } from '../errors/engine-error';
import { fromCommandError, toCommandError } from '../errors/command-error';
import {
  MAX_SENDER_ROLES,
  SenderFence,
  isSenderFencedError,
  senderLeaseFromWire,
} from './sender-fence';

const ROLE = 'game:tag-game@1.4.0';

describe('senderLeaseFromWire', () => {
  it('reads a lease, and none from an absent or empty one', () => {
    expect(senderLeaseFromWire({ role: ROLE, epoch: 3 })).toEqual({ role: ROLE, epoch: 3 });
    expect(senderLeaseFromWire(undefined)).toBeUndefined();
    expect(senderLeaseFromWire({ role: '', epoch: 0 })).toBeUndefined();
  });

  it('refuses a malformed role or epoch with INVALID_ARGUMENT', () => {
    for (const wire of [
      { role: '', epoch: 2 },
      { role: 'x'.repeat(129), epoch: 2 },
      { role: 'game tag', epoch: 2 },
      { role: ROLE, epoch: 0 },
      { role: ROLE, epoch: -1 },
      { role: ROLE, epoch: 2 ** 64 },
      { role: ROLE, epoch: 1.5 },
    ]) {
      expect(() => senderLeaseFromWire(wire)).toThrow(InvalidCommandError);
    }
  });
});

describe('SenderFence', () => {
  it("refuses a role's older epoch once a newer one called, and admits calls without a lease", () => {
    const fence = new SenderFence('w');
    fence.admit({ role: ROLE, epoch: 1 });
    fence.admit({ role: ROLE, epoch: 1 });
    fence.admit({ role: ROLE, epoch: 2 });
    expect(() => fence.admit({ role: ROLE, epoch: 1 })).toThrow(SenderFencedError);
    expect(() => fence.admit({ role: ROLE, epoch: 1 })).toThrow(
      /epoch 1, but its epoch 2 has called since/,
    );
    fence.admit(undefined);
    fence.admit({ role: ROLE, epoch: 2 });
    expect(fence.epochOf(ROLE)).toBe(2);
  });

  it('keeps roles apart: another module version counts its own epochs', () => {
    const fence = new SenderFence('w');
    fence.admit({ role: ROLE, epoch: 7 });
    fence.admit({ role: 'game:tag-game@1.5.0', epoch: 1 });
    expect(() => fence.admit({ role: ROLE, epoch: 6 })).toThrow(SenderFencedError);
  });

  it(`remembers at most ${MAX_SENDER_ROLES} roles, forgetting the one seen longest ago`, () => {
    const fence = new SenderFence('w');
    for (let i = 0; i <= MAX_SENDER_ROLES; i++) fence.admit({ role: `r${i}`, epoch: 5 });
    expect(fence.epochOf('r0')).toBe(0);
    expect(fence.epochOf(`r${MAX_SENDER_ROLES}`)).toBe(5);
  });

  it('property: whatever the order of calls, every admitted call has the highest epoch its role had shown', () => {
    const call = fc.record({
      role: fc.constantFrom('a', 'b', 'c'),
      epoch: fc.integer({ min: 1, max: 6 }),
    });
    fc.assert(
      fc.property(fc.array(call, { maxLength: 60 }), (calls) => {
        const fence = new SenderFence('w');
        const highest = new Map<string, number>();
        for (const c of calls) {
          let admitted = true;
          try {
            fence.admit(c);
          } catch (error) {
            expect(error).toBeInstanceOf(SenderFencedError);
            admitted = false;
          }
          const before = highest.get(c.role) ?? 0;
          expect(admitted).toBe(c.epoch >= before);
          if (admitted) highest.set(c.role, c.epoch);
        }
      }),
    );
  });
});

describe('isSenderFencedError', () => {
  it('knows the refusal after its trip over the wire, and nothing else', () => {
    const refusal = new SenderFencedError('stale');
    const received = fromCommandError(toCommandError(refusal), 'StreamCommands');
    expect(isSenderFencedError(received)).toBe(true);
    expect(isSenderFencedError(new PreconditionError('cooldown'))).toBe(false);
    expect(isSenderFencedError(new Error('x'))).toBe(false);
  });
});

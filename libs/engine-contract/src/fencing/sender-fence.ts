import type { SenderLease } from '../generated/game/engine/v1/engine';
import { EngineError, InvalidCommandError, SenderFencedError } from '../errors/engine-error';

/** A sender lease's role: at most 128 characters of [A-Za-z0-9._:@/-]. */
export const SENDER_ROLE_PATTERN = /^[A-Za-z0-9._:@/-]{1,128}$/;

/** Roles one world remembers; past it the one seen longest ago is forgotten. */
export const MAX_SENDER_ROLES = 16;

/**
 * The caller's lease as a call carries it: undefined when it has none (absent, or empty role
 * and epoch 0); INVALID_ARGUMENT naming `field` for a malformed role or epoch.
 */
export function senderLeaseFromWire(
  wire: SenderLease | undefined,
  field = 'sender',
): SenderLease | undefined {
  if (!wire || (wire.role === '' && wire.epoch === 0)) return undefined;
  if (!SENDER_ROLE_PATTERN.test(wire.role)) {
    throw new InvalidCommandError(
      `${field}.role must be at most 128 characters of [A-Za-z0-9._:@/-], got ${JSON.stringify(wire.role.slice(0, 80))}`,
    );
  }
  if (!Number.isSafeInteger(wire.epoch) || wire.epoch < 1) {
    throw new InvalidCommandError(`${field}.epoch must be a positive integer, got ${wire.epoch}`);
  }
  return { role: wire.role, epoch: wire.epoch };
}

/**
 * One world's fence against callers that lost their lease (docs/engine-contract.md, "Fencing
 * the caller"): the highest epoch each role has shown; a call with a lower one is refused with
 * SenderFencedError. Roles are independent (another module version has epochs of its own).
 */
export class SenderFence {
  private readonly highest = new Map<string, number>();

  constructor(private readonly worldId: string) {}

  /** Admits a call made under `sender` (any call without one), raising the role's epoch. */
  admit(sender: SenderLease | undefined): void {
    if (!sender) return;
    const seen = this.highest.get(sender.role) ?? 0;
    if (sender.epoch < seen) {
      throw new SenderFencedError(
        `world "${this.worldId}": ${sender.role} called with epoch ${sender.epoch}, but its epoch ${seen} has called since: the caller no longer owns the world`,
      );
    }
    // Re-inserted: the map's order is the order roles were last seen.
    this.highest.delete(sender.role);
    this.highest.set(sender.role, sender.epoch);
    if (this.highest.size > MAX_SENDER_ROLES)
      this.highest.delete(this.highest.keys().next().value as string);
  }

  /** The highest epoch `role` has shown (0: none). */
  epochOf(role: string): number {
    return this.highest.get(role) ?? 0;
  }
}

/** True when an engine refused a call because the caller's lease is older than one it saw. */
export function isSenderFencedError(error: unknown): boolean {
  return error instanceof EngineError && error.name === 'SenderFencedError';
}

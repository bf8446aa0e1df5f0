import { InvalidCommandError } from '../errors/engine-error';
import { ContractLimits, IDEMPOTENCY_KEY_PATTERN, ID_PATTERN } from '../domain/limits';

/** Returns the id when it matches ID_PATTERN, else throws INVALID_ARGUMENT naming the field. */
export function requireId(value: string | undefined, field: string): string {
  if (!value) throw new InvalidCommandError(`${field} is required`);
  if (!ID_PATTERN.test(value)) {
    throw new InvalidCommandError(
      `${field} must be 1..${ContractLimits.maxIdLength} characters of [A-Za-z0-9_.:-], got ${JSON.stringify(value.slice(0, 80))}`,
    );
  }
  return value;
}

/**
 * Returns a command's idempotency key ('' when none) when it is at most
 * ContractLimits.maxIdempotencyKeyLength characters of [A-Za-z0-9._:-], else throws
 * INVALID_ARGUMENT naming the field (docs/engine-contract.md, "Idempotency keys").
 */
export function requireIdempotencyKey(
  value: string | undefined,
  field = 'idempotency_key',
): string {
  if (!value) return '';
  if (!IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new InvalidCommandError(
      `${field} must be at most ${ContractLimits.maxIdempotencyKeyLength} characters of [A-Za-z0-9._:-] (empty for none), got ${value.length} characters: ${JSON.stringify(value.slice(0, 80))}`,
    );
  }
  return value;
}

/** Returns the number when it is finite, else throws INVALID_ARGUMENT naming the field. */
export function requireFinite(value: number | undefined, field: string): number {
  const n = value ?? 0;
  if (!Number.isFinite(n))
    throw new InvalidCommandError(`${field} must be a finite number, got ${n}`);
  return n === 0 ? 0 : n; // -0 is not on the wire (proto3 default): normalise it
}

/** Returns the integer when it lies in [min, max], else throws INVALID_ARGUMENT. */
export function requireIntInRange(
  value: number | undefined,
  field: string,
  min: number,
  max: number,
): number {
  const n = value ?? 0;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidCommandError(`${field} must be an integer in [${min}, ${max}], got ${n}`);
  }
  return n;
}

import type { WorldBinding } from '../generated/game/engine/v1/engine';
import { InvalidCommandError } from '../errors/engine-error';
import { ContractLimits } from '../domain/limits';

const ADDRESS = /^[^\s:/]{1,253}:\d{1,5}$/;

/**
 * The address an engine module reaches for `capabilityId`: the world's binding whose consumer is
 * `module` (for a world-shard capability, the binding of shard 0), or `fallback` when the world
 * names none. Malformed bindings are INVALID_ARGUMENT naming the entry.
 */
export function boundAddress(
  bindings: readonly WorldBinding[] | undefined,
  module: string,
  capabilityId: string,
  fallback: string,
): string {
  const list = bindings ?? [];
  if (list.length > ContractLimits.maxWorldBindings) {
    throw new InvalidCommandError(
      `bindings: at most ${ContractLimits.maxWorldBindings} entries, got ${list.length}`,
    );
  }
  list.forEach((binding, i) => {
    if (!ADDRESS.test(binding.address ?? '')) {
      throw new InvalidCommandError(
        `bindings[${i}].address must be host:port, got ${JSON.stringify(String(binding.address).slice(0, 80))}`,
      );
    }
  });
  const mine = list
    .filter((b) => b.consumer === module && b.capabilityId === capabilityId)
    .sort((a, b) => (a.shard ?? 0) - (b.shard ?? 0));
  return mine[0]?.address ?? fallback;
}

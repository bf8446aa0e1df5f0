import { randomUUID } from 'node:crypto';

import type { WorldInput } from '../domain';

/** A unique id, so tests sharing one database never see each other's rows. */
export const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A valid world with a unique id and name. */
export function aWorld(overrides: Partial<WorldInput> = {}): WorldInput {
  const id = uid('world');
  return {
    id,
    namespace: 'games',
    name: id,
    game: 'arena',
    region: 'eu-west',
    shards: 2,
    phase: 'Pending',
    ...overrides,
  };
}

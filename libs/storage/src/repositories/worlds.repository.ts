import type { Prisma, World as WorldRow } from '../generated/prisma/client';
import type { World, WorldBinding, WorldInput } from '../domain';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors';
import { MAX_LIMIT, integer, text } from '../validation';
import { isPrismaError, PrismaCode, type PrismaAccess } from './prisma-errors';

/** Longest phase name accepted. */
const MAX_PHASE = 64;
/** Most bindings one world may list. */
export const MAX_WORLD_BINDINGS = 1000;
const ADDRESS = /^[^\s:]+:\d{1,5}$/;
/** Most shards a world may declare. */
export const MAX_SHARDS = 4096;

/** World metadata, keyed by the caller's world id and unique per namespace/name. */
export class WorldRepository {
  constructor(private readonly db: PrismaAccess) {}

  /** Creates the world or updates every field of it; refuses a second id for one namespace/name. */
  async upsert(input: WorldInput): Promise<World> {
    const data = validWorld(input);
    try {
      const { id, bindings, ...fields } = data;
      const update = bindings === undefined ? fields : { ...fields, bindings: toJson(bindings) };
      const create = { ...data, bindings: toJson(bindings ?? []) };
      return toWorld(await this.db().world.upsert({ where: { id }, create, update }));
    } catch (error) {
      if (isPrismaError(error, PrismaCode.UniqueViolation)) {
        throw new ConflictError(
          `world ${data.namespace}/${data.name} already exists with another id than "${data.id}"`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  /** The world, or null when there is none with that id. */
  async get(id: string): Promise<World | null> {
    const row = await this.db().world.findUnique({ where: { id: text('id', id) } });
    return row ? toWorld(row) : null;
  }

  /** The worlds of these ids that exist (at most MAX_LIMIT ids a call), in no set order. */
  async getMany(ids: readonly string[]): Promise<World[]> {
    if (!Array.isArray(ids) || ids.length > MAX_LIMIT)
      throw new InvalidInputError('ids', `must be an array of at most ${MAX_LIMIT} ids`);
    if (ids.length === 0) return [];
    const where = { id: { in: ids.map((id) => text('id', id)) } };
    return (await this.db().world.findMany({ where })).map(toWorld);
  }

  /** All worlds, or those of one namespace, ordered by namespace then name. */
  async list(filter: { namespace?: string } = {}): Promise<World[]> {
    const namespace =
      filter.namespace === undefined ? undefined : text('namespace', filter.namespace);
    const rows = await this.db().world.findMany({
      where: namespace === undefined ? {} : { namespace },
      orderBy: [{ namespace: 'asc' }, { name: 'asc' }],
    });
    return rows.map(toWorld);
  }

  /** Sets the phase; throws {@link NotFoundError} when the world does not exist. */
  async setPhase(id: string, phase: string): Promise<World> {
    const where = { id: text('id', id) };
    try {
      return toWorld(
        await this.db().world.update({ where, data: { phase: text('phase', phase, MAX_PHASE) } }),
      );
    } catch (error) {
      if (isPrismaError(error, PrismaCode.RecordNotFound))
        throw new NotFoundError('world', id, { cause: error });
      throw error;
    }
  }

  /**
   * Deletes the world with its checkpoints and sessions, its leases and its game states, in one
   * transaction (audit entries stay): a deleted world is not an orphan to take over, and its
   * owner stops it at its next renewal. False when there was no world row (leases and game
   * states of that id are deleted anyway).
   */
  async delete(id: string): Promise<boolean> {
    const worldId = text('id', id);
    const [, , { count }] = await this.db().$transaction([
      this.db().worldLease.deleteMany({ where: { worldId } }),
      this.db().gameState.deleteMany({ where: { worldId } }),
      this.db().world.deleteMany({ where: { id: worldId } }),
    ]);
    return count > 0;
  }
}

function validWorld(input: WorldInput): WorldInput {
  return {
    id: text('id', input?.id),
    namespace: text('namespace', input.namespace),
    name: text('name', input.name),
    game: text('game', input.game),
    region: text('region', input.region),
    shards: integer('shards', input.shards, 1, MAX_SHARDS),
    phase: text('phase', input.phase, MAX_PHASE),
    ...(input.bindings === undefined ? {} : { bindings: validBindings(input.bindings) }),
  };
}

function validBindings(value: unknown): WorldBinding[] {
  if (!Array.isArray(value)) throw new InvalidInputError('bindings', 'must be an array');
  if (value.length > MAX_WORLD_BINDINGS)
    throw new InvalidInputError('bindings', `must have at most ${MAX_WORLD_BINDINGS} entries`);
  return value.map((b: Partial<WorldBinding> | null, i) => {
    const at = `bindings[${i}]`;
    if (typeof b !== 'object' || b === null) throw new InvalidInputError(at, 'must be an object');
    const address = text(`${at}.address`, b.address);
    if (!ADDRESS.test(address)) throw new InvalidInputError(`${at}.address`, 'must be host:port');
    return {
      capabilityId: text(`${at}.capabilityId`, b.capabilityId),
      consumer: text(`${at}.consumer`, b.consumer),
      provider: text(`${at}.provider`, b.provider),
      address,
      shard:
        b.shard === null || b.shard === undefined
          ? null
          : integer(`${at}.shard`, b.shard, 0, MAX_SHARDS - 1),
    };
  });
}

const toJson = (bindings: WorldBinding[]) => bindings as unknown as Prisma.InputJsonValue;

function toWorld(row: WorldRow): World {
  const { id, namespace, name, game, region, shards, phase, createdAt, updatedAt } = row;
  const bindings = row.bindings as unknown as WorldBinding[];
  return { id, namespace, name, game, region, shards, phase, bindings, createdAt, updatedAt };
}

import type { World as WorldRow } from '../generated/prisma/client';
import type { World, WorldInput } from '../domain';
import { ConflictError, NotFoundError } from '../errors';
import { integer, text } from '../validation';
import { isPrismaError, PrismaCode, type PrismaAccess } from './prisma-errors';

/** Longest phase name accepted. */
const MAX_PHASE = 64;
/** Most shards a world may declare. */
export const MAX_SHARDS = 4096;

/** World metadata, keyed by the caller's world id and unique per namespace/name. */
export class WorldRepository {
  constructor(private readonly db: PrismaAccess) {}

  /** Creates the world or updates every field of it; refuses a second id for one namespace/name. */
  async upsert(input: WorldInput): Promise<World> {
    const data = validWorld(input);
    try {
      const { id, ...fields } = data;
      return toWorld(await this.db().world.upsert({ where: { id }, create: data, update: fields }));
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

  /** Deletes the world with its checkpoints and sessions (audit entries stay); false when absent. */
  async delete(id: string): Promise<boolean> {
    const { count } = await this.db().world.deleteMany({ where: { id: text('id', id) } });
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
  };
}

function toWorld(row: WorldRow): World {
  const { id, namespace, name, game, region, shards, phase, createdAt, updatedAt } = row;
  return { id, namespace, name, game, region, shards, phase, createdAt, updatedAt };
}

import type { Checkpoint as CheckpointRow } from '../generated/prisma/client';
import type { Checkpoint, CheckpointInput, CheckpointSummary, ListOptions } from '../domain';
import { ConflictError, FencedError, InvalidInputError, NotFoundError } from '../errors';
import { bytes, instant, integer, limit, text } from '../validation';
import { isPrismaError, PrismaCode, type PrismaAccess } from './prisma-errors';
import { FENCED_SAVE_SETUP_SQL } from './fenced-save';

/** Most checkpoints `prune` may keep per shard. */
export const MAX_KEEP = 10_000;

const summary = {
  worldId: true,
  shard: true,
  tick: true,
  stateHash: true,
  logSeq: true,
  epoch: true,
  logAppendedAt: true,
  createdAt: true,
} as const;

/**
 * Engine snapshots per world and shard. A (world, shard, tick) has at most one checkpoint:
 * saving the same one again is a no-op, saving different state for it is a conflict.
 */
export class CheckpointRepository {
  constructor(private readonly db: PrismaAccess) {}

  /**
   * Stores a checkpoint; the world must exist and have the shard. With `input.lease`, fenced:
   * the lease row is read under a share lock in the same transaction, so the save is refused
   * (FencedError) once another replica acquired the world, and an acquisition that comes while
   * the save runs waits for it (the new holder then reads this checkpoint).
   */
  async save(input: CheckpointInput): Promise<Checkpoint> {
    const worldId = text('worldId', input?.worldId);
    const shard = integer('shard', input.shard, 0);
    const data = {
      worldId,
      shard,
      tick: BigInt(integer('tick', input.tick, 0)),
      stateHash: text('stateHash', input.stateHash),
      state: new Uint8Array(bytes('state', input.state)),
      logSeq: BigInt(integer('logSeq', input.logSeq ?? 0, 0)),
      epoch: BigInt(input.lease ? integer('lease.epoch', input.lease.epoch, 1) : 0),
      logAppendedAt:
        input.logAppendedAt === undefined ? null : instant('logAppendedAt', input.logAppendedAt),
    };
    const role = input.lease ? text('lease.role', input.lease.role) : undefined;
    const world = await this.db().world.findUnique({
      where: { id: worldId },
      select: { shards: true },
    });
    if (!world) throw new NotFoundError('world', worldId);
    if (shard >= world.shards) {
      throw new InvalidInputError(
        'shard',
        `world "${worldId}" has ${world.shards} shard(s), so ${shard} is out of range`,
      );
    }
    try {
      if (role === undefined) return toCheckpoint(await this.db().checkpoint.create({ data }));
      return await this.db().$transaction(async (tx) => {
        await tx.$executeRawUnsafe(FENCED_SAVE_SETUP_SQL);
        const [lease] = await tx.$queryRawUnsafe<Array<{ epoch: bigint | number }>>(
          'SELECT epoch FROM world_leases WHERE world_id = $1 AND role = $2 FOR SHARE',
          worldId,
          role,
        );
        const current = lease ? Number(lease.epoch) : null;
        if (current !== Number(data.epoch))
          throw new FencedError(worldId, role, Number(data.epoch), current);
        return toCheckpoint(await tx.checkpoint.create({ data }));
      });
    } catch (error) {
      if (error instanceof FencedError) throw error;
      if (isPrismaError(error, PrismaCode.ForeignKeyViolation))
        throw new NotFoundError('world', worldId, { cause: error });
      if (!isPrismaError(error, PrismaCode.UniqueViolation)) throw error;
      const where = { worldId_shard_tick: { worldId, shard, tick: data.tick } };
      const existing = await this.db().checkpoint.findUnique({ where });
      if (
        existing &&
        existing.stateHash === data.stateHash &&
        Buffer.from(existing.state).equals(data.state)
      ) {
        return toCheckpoint(existing);
      }
      throw new ConflictError(
        `world "${worldId}" shard ${shard} already has a different checkpoint at tick ${input.tick}`,
        { cause: error },
      );
    }
  }

  /** The newest checkpoint of one shard, or (without `shard`) of the whole world; null when none. */
  async latest(worldId: string, shard?: number): Promise<Checkpoint | null> {
    const row = await this.db().checkpoint.findFirst({
      where: {
        worldId: text('worldId', worldId),
        ...(shard === undefined ? {} : { shard: integer('shard', shard, 0) }),
      },
      orderBy: [{ tick: 'desc' }, { shard: 'asc' }],
    });
    return row ? toCheckpoint(row) : null;
  }

  /** The newest checkpoint of every shard that has one, ordered by shard: what a restore needs. */
  async latestPerShard(worldId: string): Promise<Checkpoint[]> {
    const rows = await this.db().checkpoint.findMany({
      where: { worldId: text('worldId', worldId) },
      orderBy: [{ shard: 'asc' }, { tick: 'desc' }],
      distinct: ['shard'],
    });
    return rows.map(toCheckpoint);
  }

  /** Checkpoints of one shard without their bytes, newest (highest tick) first. */
  async list(
    worldId: string,
    shard: number,
    options: ListOptions = {},
  ): Promise<CheckpointSummary[]> {
    const rows = await this.db().checkpoint.findMany({
      where: { worldId: text('worldId', worldId), shard: integer('shard', shard, 0) },
      orderBy: { tick: 'desc' },
      take: limit(options.limit),
      select: summary,
    });
    return rows.map((row) => ({
      ...row,
      tick: Number(row.tick),
      logSeq: Number(row.logSeq),
      epoch: Number(row.epoch),
    }));
  }

  /**
   * Retention: keeps the `keep` newest checkpoints of the shard (of every shard when `shard` is
   * omitted) and deletes the older ones. Returns how many were deleted.
   */
  async prune(worldId: string, keep: number, shard?: number): Promise<number> {
    const id = text('worldId', worldId);
    const kept = integer('keep', keep, 1, MAX_KEEP);
    const shards =
      shard === undefined
        ? (
            await this.db().checkpoint.findMany({
              where: { worldId: id },
              distinct: ['shard'],
              select: { shard: true },
            })
          ).map((row) => row.shard)
        : [integer('shard', shard, 0)];
    let deleted = 0;
    for (const s of shards) {
      const [cutoff] = await this.db().checkpoint.findMany({
        where: { worldId: id, shard: s },
        orderBy: { tick: 'desc' },
        skip: kept - 1,
        take: 1,
        select: { tick: true },
      });
      if (!cutoff) continue;
      const { count } = await this.db().checkpoint.deleteMany({
        where: { worldId: id, shard: s, tick: { lt: cutoff.tick } },
      });
      deleted += count;
    }
    return deleted;
  }
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  const { worldId, shard, tick, stateHash, state, logSeq, epoch, logAppendedAt, createdAt } = row;
  return {
    worldId,
    shard,
    tick: Number(tick),
    stateHash,
    state: new Uint8Array(state),
    logSeq: Number(logSeq),
    epoch: Number(epoch),
    logAppendedAt,
    createdAt,
  };
}

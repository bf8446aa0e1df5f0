import type { Checkpoint as CheckpointRow } from '../generated/prisma/client';
import type { Checkpoint, CheckpointInput, CheckpointSummary, ListOptions } from '../domain';
import { ConflictError, FencedError, InvalidInputError, NotFoundError } from '../errors';
import { bytes, instant, integer, limit, text } from '../validation';
import type { SqlQuery } from '../backends/backend';
import type { PrismaAccess } from './prisma-errors';

/** Most checkpoints `prune` may keep per shard. */
export const MAX_KEEP = 10_000;

/**
 * Inserts a checkpoint when its world exists with the shard and, given a role ($9), the world's
 * lease of that role is at the checkpoint's epoch, read FOR SHARE; nothing when a checkpoint of
 * that tick exists. $1 world, $2 shard, $3 tick, $4 state hash, $5 state, $6 log seq, $7 epoch,
 * $8 log appended at. Returns its creation time when written.
 */
const SAVE_SQL = `WITH fence AS (
         SELECT epoch FROM world_leases WHERE world_id = $1 AND role = $9::text FOR SHARE
       )
       INSERT INTO checkpoints
         (world_id, shard, tick, state_hash, state, log_seq, epoch, log_appended_at)
       SELECT $1, $2::int, $3::bigint, $4, $5::bytea, $6::bigint, $7::bigint, $8::timestamptz
        WHERE EXISTS (SELECT 1 FROM worlds WHERE id = $1 AND shards > $2::int)
          AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM fence WHERE epoch = $7::bigint))
       ON CONFLICT DO NOTHING
       RETURNING created_at`;

/** Deletes a world's checkpoints past the $2 newest of each shard (of shard $3 when given). */
const PRUNE_SQL = `WITH ranked AS (
         SELECT shard, tick, row_number() OVER (PARTITION BY shard ORDER BY tick DESC) AS newer
           FROM checkpoints WHERE world_id = $1 AND ($3::int IS NULL OR shard = $3::int)
       ), deleted AS (
         DELETE FROM checkpoints c USING ranked r
          WHERE c.world_id = $1 AND c.shard = r.shard AND c.tick = r.tick AND r.newer > $2::int
         RETURNING 1
       )
       SELECT count(*)::int AS deleted FROM deleted`;

/**
 * The newest checkpoint of world $1 (of shard $2 when given): raw SQL, not Prisma, because a
 * takeover of a drained replica's worlds reads them all at once, and Prisma's 0.7 ms of CPU per
 * read queued them behind each other in the taker's event loop.
 */
const LATEST_SQL = `SELECT world_id, shard, tick, state_hash, state, log_seq, epoch, log_appended_at,
              created_at
         FROM checkpoints
        WHERE world_id = $1 AND ($2::int IS NULL OR shard = $2::int)
        ORDER BY tick DESC, shard ASC
        LIMIT 1`;

/** A checkpoints row as the raw driver gives it (bigint as string or bigint, times as Date or text). */
interface CheckpointSqlRow {
  world_id: string;
  shard: number;
  tick: bigint | number | string;
  state_hash: string;
  state: Uint8Array;
  log_seq: bigint | number | string;
  epoch: bigint | number | string;
  log_appended_at: Date | string | null;
  created_at: Date | string;
}

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
  constructor(
    private readonly db: PrismaAccess,
    private readonly sql: SqlQuery,
  ) {}

  /**
   * Stores a checkpoint; the world must exist and have the shard. With `input.lease`, fenced:
   * the lease row is read under a share lock in the same statement, so the save is refused
   * (FencedError) once another replica acquired the world, and an acquisition that comes while
   * the save runs waits for it (the new holder then reads this checkpoint). One statement, not
   * a transaction of several: a handover saves every world of a replica at once, and the round
   * trips of each (through Prisma, six) made its saves the longest part of the handover.
   */
  async save(input: CheckpointInput): Promise<Checkpoint> {
    const worldId = text('worldId', input?.worldId);
    const shard = integer('shard', input.shard, 0);
    const tick = integer('tick', input.tick, 0);
    const stateHash = text('stateHash', input.stateHash);
    // One copy: what the caller does to its array afterwards changes neither row nor answer.
    const state = new Uint8Array(bytes('state', input.state));
    const logSeq = integer('logSeq', input.logSeq ?? 0, 0);
    const epoch = input.lease ? integer('lease.epoch', input.lease.epoch, 1) : 0;
    const logAppendedAt =
      input.logAppendedAt === undefined ? null : instant('logAppendedAt', input.logAppendedAt);
    const role = input.lease ? text('lease.role', input.lease.role) : null;
    const [saved] = await this.sql<{ created_at: Date | string }>(SAVE_SQL, [
      worldId,
      shard,
      tick,
      stateHash,
      Buffer.from(state.buffer, state.byteOffset, state.byteLength), // a view, not a copy
      logSeq,
      epoch,
      logAppendedAt?.toISOString() ?? null,
      role,
    ]);
    const checkpoint: Checkpoint = {
      worldId,
      shard,
      tick,
      stateHash,
      state,
      logSeq,
      epoch,
      logAppendedAt: logAppendedAt && new Date(logAppendedAt.getTime()),
      createdAt: new Date(saved?.created_at ?? 0),
    };
    return saved ? checkpoint : this.whyNotSaved(checkpoint, role);
  }

  /** Why SAVE_SQL wrote nothing, as the error it is; the stored checkpoint when it is the same. */
  private async whyNotSaved(wanted: Checkpoint, role: string | null): Promise<Checkpoint> {
    const { worldId, shard, tick, epoch } = wanted;
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
    if (role !== null) {
      const [lease] = await this.sql<{ epoch: bigint | number | string }>(
        'SELECT epoch FROM world_leases WHERE world_id = $1 AND role = $2',
        [worldId, role],
      );
      const current = lease ? Number(lease.epoch) : null;
      if (current !== epoch) throw new FencedError(worldId, role, epoch, current);
    }
    const where = { worldId_shard_tick: { worldId, shard, tick: BigInt(tick) } };
    const existing = await this.db().checkpoint.findUnique({ where });
    if (
      existing &&
      existing.stateHash === wanted.stateHash &&
      Buffer.from(existing.state).equals(wanted.state)
    ) {
      return toCheckpoint(existing);
    }
    if (existing)
      throw new ConflictError(
        `world "${worldId}" shard ${shard} already has a different checkpoint at tick ${tick}`,
      );
    // The world, its shard and its lease are as the statement wanted them now; they were not
    // then (a world deleted and created again meanwhile): the caller may try again.
    throw new ConflictError(`world "${worldId}" changed while its checkpoint was being saved`);
  }

  /** The newest checkpoint of one shard, or (without `shard`) of the whole world; null when none. */
  async latest(worldId: string, shard?: number): Promise<Checkpoint | null> {
    const [row] = await this.sql<CheckpointSqlRow>(LATEST_SQL, [
      text('worldId', worldId),
      shard === undefined ? null : integer('shard', shard, 0),
    ]);
    return row ? fromSqlRow(row) : null;
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
    const only = shard === undefined ? null : integer('shard', shard, 0);
    // One statement: after every periodic save and a handover's (which waits for it).
    const [{ deleted }] = await this.sql<{ deleted: number }>(PRUNE_SQL, [id, kept, only]);
    return deleted;
  }
}

function fromSqlRow(row: CheckpointSqlRow): Checkpoint {
  return {
    worldId: row.world_id,
    shard: row.shard,
    tick: Number(row.tick),
    stateHash: row.state_hash,
    state: new Uint8Array(row.state),
    logSeq: Number(row.log_seq),
    epoch: Number(row.epoch),
    logAppendedAt: row.log_appended_at === null ? null : new Date(row.log_appended_at),
    createdAt: new Date(row.created_at),
  };
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

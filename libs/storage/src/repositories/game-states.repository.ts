import { createHash } from 'node:crypto';

import type { SqlQuery } from '../backends/backend';
import type { GameState, GameStateInput } from '../domain';
import { FencedError, InvalidInputError } from '../errors';
import type { SqlExecutor } from '../migrations/migrate';
import { bytes, integer, text } from '../validation';
import { FENCED_SAVE_SETUP_SQL } from './fenced-save';

/** Largest game state accepted: 1 MiB (a game's rules state is usually well under 64 KiB). */
export const MAX_GAME_STATE_BYTES = 1024 * 1024;

const SHA256_HEX = /^[0-9a-f]{64}$/;

interface GameStateRow {
  world_id: string;
  role: string;
  epoch: bigint | number | string;
  state: Uint8Array;
  state_hash: string;
  version: bigint | number | string;
  updated_at: Date | string;
}

const COLUMNS = 'world_id, role, epoch, state, state_hash, version, updated_at';

/**
 * Writes the state unless the stored one is of a later epoch: $1 world, $2 role, $3 epoch,
 * $4 state, $5 state hash. Returns the row when written.
 */
const SAVE_SQL = `INSERT INTO game_states AS g (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, 1, now())
       ON CONFLICT (world_id, role) DO UPDATE
         SET epoch = EXCLUDED.epoch, state = EXCLUDED.state, state_hash = EXCLUDED.state_hash,
             version = g.version + 1, updated_at = now()
         WHERE g.epoch <= EXCLUDED.epoch
       RETURNING ${COLUMNS}`;

/**
 * Game modules' rules state per (world, role), fenced by the world's lease of that role
 * (docs/storage.md, "Game states"): the replica that takes a world over reads back exactly what
 * the previous owner last saved, and nothing the previous owner saves after that lands.
 */
export class GameStateRepository {
  constructor(
    private readonly db: SqlExecutor,
    private readonly sql: SqlQuery,
  ) {}

  /**
   * Stores the state of the world for `role`, in one transaction that first reads the world's
   * lease of `role` under a share lock: FencedError (nothing written) unless the lease exists and
   * is `holder`'s at exactly `epoch`. An acquisition that comes while the save runs waits for it,
   * so the new holder reads this state; a save that comes after an acquisition is fenced. The row
   * is replaced only by a save of the same or a later epoch; its `version` grows by one.
   */
  async save(input: GameStateInput): Promise<GameState> {
    const worldId = text('worldId', input?.worldId);
    const role = text('role', input.role);
    const holder = text('holder', input.holder);
    const epoch = integer('epoch', input.epoch, 1);
    const state = bytes('state', input.state, MAX_GAME_STATE_BYTES);
    const stateHash = hashOf(state, input.stateHash);
    return this.db.transaction(async (tx) => {
      await tx.query(FENCED_SAVE_SETUP_SQL);
      const [lease] = await tx.query<{ epoch: bigint | number | string; holder: string }>(
        'SELECT epoch, holder FROM world_leases WHERE world_id = $1 AND role = $2 FOR SHARE',
        [worldId, role],
      );
      const current = lease ? Number(lease.epoch) : null;
      if (current !== epoch || lease.holder !== holder) {
        throw new FencedError(worldId, role, epoch, current, {
          holder,
          currentHolder: lease?.holder ?? null,
        });
      }
      const [row] = await tx.query<GameStateRow>(SAVE_SQL, [
        worldId,
        role,
        epoch,
        Buffer.from(state),
        stateHash,
      ]);
      if (row) return toGameState(row);
      // The stored state is of a later epoch than the lease: the lease was deleted (with the
      // world) and taken again since. Never overwrite newer state with older.
      const [stored] = await tx.query<{ epoch: bigint | number | string }>(
        'SELECT epoch FROM game_states WHERE world_id = $1 AND role = $2',
        [worldId, role],
      );
      throw new FencedError(worldId, role, epoch, stored ? Number(stored.epoch) : null, {
        holder,
        currentHolder: lease.holder,
      });
    });
  }

  /** The world's state for `role` as last saved; null when none was saved. */
  async get(worldId: string, role: string): Promise<GameState | null> {
    const rows = await this.sql<GameStateRow>(
      `SELECT ${COLUMNS} FROM game_states WHERE world_id = $1 AND role = $2`,
      [text('worldId', worldId), text('role', role)],
    );
    return rows.length > 0 ? toGameState(rows[0]) : null;
  }

  /** Deletes the world's states of every role; returns how many there were. */
  async delete(worldId: string): Promise<number> {
    const rows = await this.sql(`DELETE FROM game_states WHERE world_id = $1 RETURNING 1`, [
      text('worldId', worldId),
    ]);
    return rows.length;
  }
}

/** `given` when it is the SHA-256 of `state` in lower-case hex; InvalidInputError otherwise. */
function hashOf(state: Uint8Array, given: unknown): string {
  if (typeof given !== 'string' || !SHA256_HEX.test(given)) {
    throw new InvalidInputError(
      'stateHash',
      'must be the SHA-256 of state as 64 lower-case hex digits',
    );
  }
  const actual = createHash('sha256').update(state).digest('hex');
  if (given !== actual) {
    throw new InvalidInputError('stateHash', `is not the SHA-256 of state (that is ${actual})`);
  }
  return given;
}

function toGameState(row: GameStateRow): GameState {
  return {
    worldId: row.world_id,
    role: row.role,
    epoch: Number(row.epoch),
    state: new Uint8Array(row.state),
    stateHash: row.state_hash,
    version: Number(row.version),
    updatedAt: new Date(row.updated_at),
  };
}

import type { AcquireLeaseInput, LeaseHandover, WorldLease } from '../domain';
import { InvalidInputError, LeaseHeldError } from '../errors';
import { integer, jsonObject, text } from '../validation';
import type { SqlQuery, Unlisten } from '../backends/backend';
import { Batcher } from './batcher';

/** Longest lease a replica may take (a day); the shortest is 1 ms. */
export const MAX_LEASE_TTL_MS = 86_400_000;
/** Most leases one `renew` call carries. */
export const MAX_RENEW_BATCH = 10_000;
/** Highest state format a lease or a replica may name. */
export const MAX_STATE_FORMAT = 1_000_000;
/**
 * The NOTIFY channel of leases released as orphans. Its payload is the lease's role (once per
 * role a release statement left orphans of), or, for a world handed to a named replica, the JSON
 * object `{ role, worldId, to }`.
 */
export const ORPHANED_CHANNEL = 'anvil_world_orphaned';

/** A world released for a named replica to take (`release` with `to`). */
export interface HandedTo {
  worldId: string;
  /** The replica (holder) the releasing one chose to take it. */
  to: string;
}

interface LeaseRow {
  world_id: string;
  role: string;
  holder: string;
  address: string;
  epoch: bigint | number;
  acquired_at: Date | string;
  expires_at: Date | string;
  expired: boolean;
  released: boolean;
  spec: Record<string, unknown> | string;
  handover: { epoch: number | string; state: Record<string, unknown>; to?: string } | string | null;
  state_format: number;
}

/** One lease to release, as the release statement reads it. */
interface ReleaseRow {
  world_id: string;
  role: string;
  holder: string;
  epoch: number;
  closed: boolean;
  handover: { epoch: number; state: Record<string, unknown>; to?: string } | null;
  /** The replica told to take the world (a handover to a named taker), or null. */
  taker: string | null;
}

/** A lease's key among releases: one per batch. */
const releaseKey = (row: Pick<ReleaseRow, 'world_id' | 'role'>) => `${row.role}/${row.world_id}`;

const COLUMNS =
  'world_id, role, holder, address, epoch, acquired_at, expires_at, released, spec, state_format';
/** What a read returns: the columns an acquisition writes, and the previous holder's handover. */
const READ = `${COLUMNS}, handover`;

/**
 * The compare-and-set that acquires a lease: $1 world, $2 role, $3 holder, $4 address, $5 ttl
 * in ms, $6 spec (jsonb, or null to keep the recorded one), $7 the holder's state format (the
 * lease keeps the newest any holder wrote: a holder of an older build that took the world and
 * could not restore it must not make it look older). Returns the row when it was taken.
 * Exported for the placement benchmark, which times it through the raw driver as its baseline.
 */
export const ACQUIRE_SQL = `INSERT INTO world_leases AS l (${COLUMNS})
       VALUES ($1, $2, $3, $4, 1, now(), now() + make_interval(secs => $5::double precision / 1000),
               false, COALESCE($6::jsonb, '{}'::jsonb), $7)
       ON CONFLICT (world_id, role) DO UPDATE
         SET holder = EXCLUDED.holder, address = EXCLUDED.address, epoch = l.epoch + 1,
             acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at,
             released = false, given_up = false, spec = COALESCE($6::jsonb, l.spec),
             state_format = GREATEST(l.state_format, EXCLUDED.state_format)
         WHERE l.expires_at <= now() OR l.holder = EXCLUDED.holder
       RETURNING ${READ}, false AS expired`;

/**
 * World leases on the database's clock, each operation one atomic statement (compare-and-set on
 * the row): no replica's clock decides who owns a world. See docs/decisions.md, "World ownership".
 */
export class LeaseRepository {
  /**
   * Releases asked while a release statement is on its way go together in the next one: a drain
   * hands all its worlds over at once, and 15 releases of a statement and a commit each took
   * 80-170 ms each under the failover suite's load.
   */
  private readonly releases = new Batcher<ReleaseRow, boolean>(
    (rows) => this.releaseRows(rows),
    releaseKey,
    MAX_RENEW_BATCH,
  );

  constructor(
    private readonly sql: SqlQuery,
    /** Renewals' own connections (Backend.keepAlive). */
    private readonly keepAlive: SqlQuery,
    private readonly listen: (
      channel: string,
      onPayload: (payload: string) => void,
    ) => Promise<Unlisten>,
  ) {}

  /**
   * Takes the world's lease of `role` for `holder` with the next epoch (1 for a new lease) when
   * it is free, expired or already the holder's own; LeaseHeldError with the current lease when
   * another holder's has not expired.
   */
  async acquire(input: AcquireLeaseInput): Promise<WorldLease> {
    const worldId = text('worldId', input?.worldId);
    const role = text('role', input.role);
    const holder = text('holder', input.holder);
    const address = text('address', input.address);
    const ttlMs = ttl(input.ttlMs);
    const spec = input.spec === undefined ? null : JSON.stringify(jsonObject('spec', input.spec));
    const format = stateFormat(input.stateFormat);
    const rows = await this.sql<LeaseRow>(ACQUIRE_SQL, [
      worldId,
      role,
      holder,
      address,
      ttlMs,
      spec,
      format,
    ]);
    if (rows.length > 0) return toLease(rows[0]);
    const current = await this.get(worldId, role);
    // Released or expired between the two statements: try once more.
    if (!current || current.expired) return this.acquire(input);
    throw new LeaseHeldError(current);
  }

  /**
   * Extends the holder's leases that still have the epoch it acquired (expired or not, as long as
   * nobody took them since and it did not release them); returns the new expiry of each one
   * renewed. A world missing from the answer is lost: another replica holds it now, or it was
   * released (a renewal that was on its way when its holder released a lease does not bring it
   * back).
   */
  async renew(
    role: string,
    holder: string,
    leases: ReadonlyArray<{ worldId: string; epoch: number }>,
    ttlMs: number,
  ): Promise<Map<string, Date>> {
    text('role', role);
    text('holder', holder);
    const ms = ttl(ttlMs);
    if (!Array.isArray(leases) || leases.length > MAX_RENEW_BATCH) {
      throw new InvalidInputError('leases', `must be an array of at most ${MAX_RENEW_BATCH}`);
    }
    if (leases.length === 0) return new Map();
    const wanted = leases.map((l) => ({
      world_id: text('worldId', l?.worldId),
      epoch: integer('epoch', l.epoch, 1),
    }));
    const rows = await this.keepAlive<{ world_id: string; expires_at: Date }>(
      `UPDATE world_leases AS l
          SET expires_at = now() + make_interval(secs => $3::double precision / 1000)
         FROM jsonb_to_recordset($4::jsonb) AS w(world_id text, epoch bigint)
        WHERE l.role = $1 AND l.holder = $2 AND l.world_id = w.world_id AND l.epoch = w.epoch
          AND NOT l.given_up
       RETURNING l.world_id, l.expires_at`,
      [role, holder, ms, JSON.stringify(wanted)],
    );
    return new Map(rows.map((r) => [r.world_id, new Date(r.expires_at)]));
  }

  /**
   * Gives a lease up at once (it stays at its epoch, so the next holder gets a higher one).
   * `closed`: the world was closed on purpose, so nobody takes it over; otherwise (a replica
   * shutting down) it is an orphan at once. `handover` (a JSON object) records where the holder
   * stopped the world, for the next holder (`handover` of the lease it acquires); without one,
   * an earlier record is cleared. `to` (with a handover) names the replica the holder chose to
   * take the world: it is told at once (`onOrphaned`), and the handover records it for the
   * others' plans. False when the holder no longer had it at that epoch.
   */
  async release(
    worldId: string,
    role: string,
    holder: string,
    epoch: number,
    closed = true,
    handover?: Record<string, unknown>,
    to?: string,
  ): Promise<boolean> {
    const at = integer('epoch', epoch, 1);
    if (to !== undefined && (handover === undefined || closed === true))
      throw new InvalidInputError('to', 'names a taker only for a handover (not closed)');
    const taker = to === undefined ? null : text('to', to);
    return this.releases.submit({
      world_id: text('worldId', worldId),
      role: text('role', role),
      holder: text('holder', holder),
      epoch: at,
      closed: closed === true,
      handover:
        handover === undefined
          ? null
          : { epoch: at, state: jsonObject('handover', handover), ...(taker ? { to: taker } : {}) },
      taker,
    });
  }

  /**
   * One statement: the leases still held at their epochs end now; one notification per role
   * with an orphan among them, and one per world handed to a named taker, in the same statement
   * (PostgreSQL delivers them when the transaction commits, so a woken replica's read sees the
   * orphans).
   */
  private async releaseRows(rows: ReleaseRow[]): Promise<boolean[]> {
    const released = await this.sql<{ world_id: string; role: string }>(
      `WITH released AS (
         UPDATE world_leases AS l
            SET expires_at = now(), released = r.closed, given_up = true, handover = r.handover
           FROM jsonb_to_recordset($1::jsonb)
                AS r(world_id text, role text, holder text, epoch bigint, closed boolean,
                     handover jsonb, taker text)
          WHERE l.world_id = r.world_id AND l.role = r.role AND l.holder = r.holder
            AND l.epoch = r.epoch AND l.expires_at > now()
         RETURNING l.world_id, l.role, r.closed, r.taker),
       told AS (SELECT pg_notify($2, role) FROM (SELECT DISTINCT role FROM released WHERE NOT closed) AS o),
       directed AS (SELECT pg_notify($2, json_build_object('role', role, 'worldId', world_id, 'to', taker)::text)
                      FROM released WHERE NOT closed AND taker IS NOT NULL)
       SELECT world_id, role, (SELECT count(*) FROM told) + (SELECT count(*) FROM directed) AS told
         FROM released`,
      [JSON.stringify(rows), ORPHANED_CHANNEL],
    );
    const done = new Set(released.map(releaseKey));
    return rows.map((row) => done.has(releaseKey(row)));
  }

  /**
   * Calls `onOrphaned` soon after a lease of `role` is released as an orphan (a handover: a
   * drain, a rebalance), so takers need not wait for their next round: once per release
   * statement without an argument, and once more for each world handed to a named taker, with
   * it. Not for leases that expire (nobody is there to tell). Resolves with how to stop, once
   * listening.
   */
  async onOrphaned(role: string, onOrphaned: (handedTo?: HandedTo) => void): Promise<Unlisten> {
    const wanted = text('role', role);
    return this.listen(ORPHANED_CHANNEL, (payload) => {
      if (payload === wanted) return onOrphaned();
      const handed = parseHandedTo(payload);
      if (handed?.role === wanted) onOrphaned({ worldId: handed.worldId, to: handed.to });
    });
  }

  /**
   * Worlds of `role` whose holder is gone: expired and not released on purpose, the longest
   * expired first; at most `limit`. Whoever acquires one brings it back (failover).
   */
  async orphans(role: string, limit = 100): Promise<WorldLease[]> {
    const rows = await this.sql<LeaseRow>(
      `SELECT ${READ}, true AS expired FROM world_leases
        WHERE role = $1 AND expires_at <= now() AND NOT released
        ORDER BY expires_at, world_id LIMIT $2`,
      [text('role', role), integer('limit', limit, 1, MAX_RENEW_BATCH)],
    );
    return rows.map(toLease);
  }

  /**
   * Milliseconds until the next live lease of `role` ends if nobody renews it, on the
   * database's clock (so no replica's clock skews it); null when none is live. A dead holder's
   * leases stop moving, so a round planned for then finds its worlds as soon as they are orphans.
   */
  async nextExpiryMs(role: string): Promise<number | null> {
    const rows = await this.sql<{ ms: number | string | null }>(
      `SELECT (EXTRACT(EPOCH FROM min(expires_at) - now()) * 1000)::double precision AS ms
         FROM world_leases WHERE role = $1 AND NOT released AND expires_at > now()`,
      [text('role', role)],
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? null : Math.max(0, Number(ms));
  }

  /** The world's lease of `role`, expired or not; null when it never had one. */
  async get(worldId: string, role: string): Promise<WorldLease | null> {
    const rows = await this.sql<LeaseRow>(
      `SELECT ${READ}, expires_at <= now() AS expired FROM world_leases
        WHERE world_id = $1 AND role = $2`,
      [text('worldId', worldId), text('role', role)],
    );
    return rows.length > 0 ? toLease(rows[0]) : null;
  }

  /**
   * The world's live leases whose role starts with `rolePrefix` (e.g. `game:` for its game
   * module's): held, not released, not expired, highest epoch first.
   */
  async liveOf(worldId: string, rolePrefix: string): Promise<WorldLease[]> {
    const rows = await this.sql<LeaseRow>(
      `SELECT ${READ}, false AS expired FROM world_leases
        WHERE world_id = $1 AND starts_with(role, $2) AND NOT released AND expires_at > now()
        ORDER BY epoch DESC, role`,
      [text('worldId', worldId), text('rolePrefix', rolePrefix)],
    );
    return rows.map(toLease);
  }

  /** The leases of `role` (of one holder when given), ordered by world id; at most `limit`. */
  async list(
    role: string,
    options: { holder?: string; limit?: number } = {},
  ): Promise<WorldLease[]> {
    const max = integer('limit', options.limit ?? 1000, 1, MAX_RENEW_BATCH);
    const holder = options.holder === undefined ? null : text('holder', options.holder);
    const rows = await this.sql<LeaseRow>(
      `SELECT ${READ}, expires_at <= now() AS expired FROM world_leases
        WHERE role = $1 AND ($2::text IS NULL OR holder = $2::text)
        ORDER BY world_id LIMIT $3`,
      [text('role', role), holder, max],
    );
    return rows.map(toLease);
  }
}

function ttl(value: unknown): number {
  return integer('ttlMs', value, 1, MAX_LEASE_TTL_MS);
}

/** A state format: 1 when not given. */
export function stateFormat(value: unknown): number {
  return value === undefined ? 1 : integer('stateFormat', value, 1, MAX_STATE_FORMAT);
}

function toLease(row: LeaseRow): WorldLease {
  return {
    worldId: row.world_id,
    role: row.role,
    holder: row.holder,
    address: row.address,
    epoch: Number(row.epoch),
    acquiredAt: new Date(row.acquired_at),
    expiresAt: new Date(row.expires_at),
    expired: Boolean(row.expired),
    released: Boolean(row.released),
    spec: typeof row.spec === 'string' ? JSON.parse(row.spec) : row.spec,
    handover: toHandover(row.handover),
    stateFormat: Number(row.state_format),
  };
}

function toHandover(value: LeaseRow['handover']): LeaseHandover | null {
  if (value === null || value === undefined) return null;
  const { epoch, state, to } = typeof value === 'string' ? JSON.parse(value) : value;
  return { epoch: Number(epoch), state, ...(typeof to === 'string' ? { to } : {}) };
}

/** A directed notification's payload; undefined for anything else on the channel. */
function parseHandedTo(payload: string): (HandedTo & { role: string }) | undefined {
  if (!payload.startsWith('{')) return undefined;
  try {
    const { role, worldId, to } = JSON.parse(payload) as Record<string, unknown>;
    if (typeof role === 'string' && typeof worldId === 'string' && typeof to === 'string')
      return { role, worldId, to };
  } catch {
    // Not ours: a payload on the channel this code does not know.
  }
  return undefined;
}

import type { EngineReplica, ReplicaHeartbeat } from '../domain';
import { integer, text } from '../validation';
import { MAX_LEASE_TTL_MS, stateFormat } from './leases.repository';
import type { SqlQuery } from '../backends/backend';

interface ReplicaRow {
  role: string;
  replica_id: string;
  address: string;
  worlds: number;
  bodies: number;
  max_worlds: number;
  max_bodies: number;
  state_format: number;
  seen_at: Date | string;
  expires_at: Date | string;
}

/** Largest count a replica may report (worlds, bodies and their maxima). */
const MAX_COUNT = 100_000_000;

/**
 * Engine replicas' reports of their load and capacity, on the database's clock: a replica is
 * live until its last heartbeat's `ttlMs` ran out. Placement and takeover read them.
 */
export class ReplicaRepository {
  constructor(
    private readonly sql: SqlQuery,
    /** Heartbeats' own connections (Backend.keepAlive). */
    private readonly keepAlive: SqlQuery,
  ) {}

  /** Records a replica's report (one upsert). */
  async heartbeat(input: ReplicaHeartbeat): Promise<void> {
    await this.keepAlive(
      `INSERT INTO engine_replicas AS r
         (role, replica_id, address, worlds, bodies, max_worlds, max_bodies, state_format,
          seen_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $9, now(),
               now() + make_interval(secs => $8::double precision / 1000))
       ON CONFLICT (role, replica_id) DO UPDATE
         SET address = EXCLUDED.address, worlds = EXCLUDED.worlds, bodies = EXCLUDED.bodies,
             max_worlds = EXCLUDED.max_worlds, max_bodies = EXCLUDED.max_bodies,
             state_format = EXCLUDED.state_format, seen_at = EXCLUDED.seen_at,
             expires_at = EXCLUDED.expires_at`,
      [
        text('role', input?.role),
        text('replicaId', input.replicaId),
        text('address', input.address),
        integer('worlds', input.worlds, 0, MAX_COUNT),
        integer('bodies', input.bodies, 0, MAX_COUNT),
        integer('maxWorlds', input.maxWorlds, 0, MAX_COUNT),
        integer('maxBodies', input.maxBodies, 0, MAX_COUNT),
        integer('ttlMs', input.ttlMs, 1, MAX_LEASE_TTL_MS),
        stateFormat(input.stateFormat),
      ],
    );
  }

  /** The live replicas of a role, by id. */
  async live(role: string): Promise<EngineReplica[]> {
    const rows = await this.sql<ReplicaRow>(
      `SELECT role, replica_id, address, worlds, bodies, max_worlds, max_bodies, state_format,
              seen_at, expires_at
         FROM engine_replicas WHERE role = $1 AND expires_at > now() ORDER BY replica_id`,
      [text('role', role)],
    );
    return rows.map((row) => ({
      role: row.role,
      replicaId: row.replica_id,
      address: row.address,
      worlds: Number(row.worlds),
      bodies: Number(row.bodies),
      maxWorlds: Number(row.max_worlds),
      maxBodies: Number(row.max_bodies),
      stateFormat: Number(row.state_format),
      seenAt: new Date(row.seen_at),
      expiresAt: new Date(row.expires_at),
    }));
  }

  /**
   * The newest state format a live replica of the role reads (it reads every older one);
   * undefined when none is live. Says why an orphaned world waits.
   */
  async readableFormat(role: string): Promise<number | undefined> {
    const [row] = await this.sql<{ newest: number | null }>(
      `SELECT max(state_format)::int AS newest
         FROM engine_replicas WHERE role = $1 AND expires_at > now()`,
      [text('role', role)],
    );
    return row?.newest ?? undefined;
  }

  /** Removes a replica's report (it is stopping). */
  async remove(role: string, replicaId: string): Promise<void> {
    await this.sql('DELETE FROM engine_replicas WHERE role = $1 AND replica_id = $2', [
      text('role', role),
      text('replicaId', replicaId),
    ]);
  }
}

import type { PlayerSession as SessionRow } from '../generated/prisma/client';
import type { ListOptions, OpenSessionInput, PlayerSession } from '../domain';
import { ConflictError, NotFoundError } from '../errors';
import { integer, limit, text, uuid } from '../validation';
import { isPrismaError, PrismaCode, type PrismaAccess } from './prisma-errors';

/** Player connections: opened by the gateway on join, acknowledged per command, closed on leave. */
export class SessionRepository {
  constructor(private readonly db: PrismaAccess) {}

  /** Opens a session; the world must exist. */
  async open(input: OpenSessionInput): Promise<PlayerSession> {
    const data = {
      playerId: text('playerId', input?.playerId),
      worldId: text('worldId', input.worldId),
      gateway: text('gateway', input.gateway),
    };
    try {
      return toSession(await this.db().playerSession.create({ data }));
    } catch (error) {
      if (isPrismaError(error, PrismaCode.ForeignKeyViolation))
        throw new NotFoundError('world', data.worldId, { cause: error });
      throw error;
    }
  }

  /** The session, or null when there is none with that id. */
  async get(id: string): Promise<PlayerSession | null> {
    const row = await this.db().playerSession.findUnique({ where: { id: uuid('id', id) } });
    return row ? toSession(row) : null;
  }

  /**
   * Records that commands up to `seq` were handled. Sequence numbers only move forward: an older
   * or repeated `seq` leaves the session as it is. A closed session refuses with {@link ConflictError}.
   */
  async ack(id: string, seq: number): Promise<PlayerSession> {
    const sessionId = uuid('id', id);
    const lastSeq = BigInt(integer('seq', seq, 0));
    await this.db().playerSession.updateMany({
      where: { id: sessionId, disconnectedAt: null, lastSeq: { lt: lastSeq } },
      data: { lastSeq },
    });
    const session = await this.require(sessionId);
    if (session.disconnectedAt !== null)
      throw new ConflictError(`session "${sessionId}" is closed`);
    return session;
  }

  /** Closes the session now; closing a closed session changes nothing. */
  async close(id: string): Promise<PlayerSession> {
    const sessionId = uuid('id', id);
    await this.db().playerSession.updateMany({
      where: { id: sessionId, disconnectedAt: null },
      data: { disconnectedAt: new Date() },
    });
    return this.require(sessionId);
  }

  /** Closes every open session of a gateway instance (it restarted or died); returns how many. */
  async closeAllForGateway(gateway: string): Promise<number> {
    const { count } = await this.db().playerSession.updateMany({
      where: { gateway: text('gateway', gateway), disconnectedAt: null },
      data: { disconnectedAt: new Date() },
    });
    return count;
  }

  /** Open sessions of a world, oldest first. */
  async listOpen(worldId: string, options: ListOptions = {}): Promise<PlayerSession[]> {
    const rows = await this.db().playerSession.findMany({
      where: { worldId: text('worldId', worldId), disconnectedAt: null },
      orderBy: [{ connectedAt: 'asc' }, { id: 'asc' }],
      take: limit(options.limit),
    });
    return rows.map(toSession);
  }

  private async require(id: string): Promise<PlayerSession> {
    const row = await this.db().playerSession.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('session', id);
    return toSession(row);
  }
}

function toSession(row: SessionRow): PlayerSession {
  const { id, playerId, worldId, gateway, connectedAt, disconnectedAt, lastSeq } = row;
  return { id, playerId, worldId, gateway, connectedAt, disconnectedAt, lastSeq: Number(lastSeq) };
}

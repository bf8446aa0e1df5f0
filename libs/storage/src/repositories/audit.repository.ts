import type { AuditLog as AuditRow } from '../generated/prisma/client';
import type { AuditEntry, AuditInput, ListOptions } from '../domain';
import { jsonObject, limit, text } from '../validation';
import type { PrismaAccess } from './prisma-errors';

/** Append-only audit log; entries outlive the worlds they mention. */
export class AuditRepository {
  constructor(private readonly db: PrismaAccess) {}

  /** Appends an entry; `worldId` need not name an existing world (it may be deleted already). */
  async record(input: AuditInput): Promise<AuditEntry> {
    const data = {
      actor: text('actor', input?.actor),
      action: text('action', input.action),
      worldId: input.worldId == null ? null : text('worldId', input.worldId),
      traceId: text('traceId', input.traceId),
      details: jsonObject('details', input.details ?? {}) as object,
    };
    return toEntry(await this.db().auditLog.create({ data }));
  }

  /** Entries about one world, newest first. */
  async listByWorld(worldId: string, options: ListOptions = {}): Promise<AuditEntry[]> {
    return this.list({ worldId: text('worldId', worldId) }, 'desc', options);
  }

  /** Entries of one trace, in the order they happened. */
  async listByTrace(traceId: string, options: ListOptions = {}): Promise<AuditEntry[]> {
    return this.list({ traceId: text('traceId', traceId) }, 'asc', options);
  }

  private async list(
    where: { worldId: string } | { traceId: string },
    order: 'asc' | 'desc',
    options: ListOptions,
  ): Promise<AuditEntry[]> {
    const rows = await this.db().auditLog.findMany({
      where,
      orderBy: [{ at: order }, { id: order }],
      take: limit(options.limit),
    });
    return rows.map(toEntry);
  }
}

function toEntry(row: AuditRow): AuditEntry {
  const { id, at, actor, action, worldId, traceId, details } = row;
  return {
    id: id.toString(),
    at,
    actor,
    action,
    worldId,
    traceId,
    details: details as Record<string, unknown>,
  };
}

import { WORLD_ID_PATTERN } from '@anvil/capability-model';
import { ApiError, ApiErrorCode, invalidQuery } from '../errors/api-error';

/** Widths the players series may be read in (stored per 10 s). */
export const PLAYER_BUCKETS = [10, 60, 300, 900, 3_600] as const;
/** Widths the commands series may be read in (stored per second). */
export const COMMAND_BUCKETS = [1, 10, 60, 300, 900, 3_600] as const;
/** Most worlds one `GET /worlds` lists. */
export const MAX_LIST = 1_000;

/** What `GET /worlds/:worldId/figures` was asked for. */
export interface FiguresQuery {
  /** Default: an hour before `to`, not before the world's first event. */
  from?: Date;
  /** Default: just after the world's last event. */
  to?: Date;
  /** Width of the players series' points, seconds. */
  bucketSeconds: number;
  /** Width of the commands series' points, seconds. */
  commandsBucketSeconds: number;
}

/** What `GET /worlds` was asked for. */
export interface ListQuery {
  limit: number;
  /** List the worlds after this id (paging). */
  after?: string;
}

type Query = Record<string, unknown>;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** The world id of a path, or 400 INVALID_WORLD_ID. */
export function worldIdParam(value: unknown): string {
  if (typeof value !== 'string' || !WORLD_ID_PATTERN.test(value)) {
    throw new ApiError(
      400,
      ApiErrorCode.InvalidWorldId,
      `a world id is 1 to 64 characters of A-Z, a-z, 0-9, '_', '.', ':' and '-'`,
    );
  }
  return value;
}

/** Parses the figures query; 400 INVALID_QUERY names the first bad parameter. */
export function parseFiguresQuery(query: Query): FiguresQuery {
  const q = only(query, ['from', 'to', 'bucket', 'commandsBucket']);
  return {
    from: q.from === undefined ? undefined : timestamp('from', q.from),
    to: q.to === undefined ? undefined : timestamp('to', q.to),
    bucketSeconds: oneOf('bucket', q.bucket, PLAYER_BUCKETS, 10),
    commandsBucketSeconds: oneOf('commandsBucket', q.commandsBucket, COMMAND_BUCKETS, 1),
  };
}

/** Parses the list query; 400 INVALID_QUERY names the first bad parameter. */
export function parseListQuery(query: Query): ListQuery {
  const q = only(query, ['limit', 'after']);
  let limit = 100;
  if (q.limit !== undefined) {
    limit = /^\d{1,4}$/.test(q.limit) ? Number(q.limit) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIST))
      throw invalidQuery('limit', `must be an integer from 1 to ${MAX_LIST}`);
  }
  if (q.after !== undefined && !WORLD_ID_PATTERN.test(q.after))
    throw invalidQuery('after', 'must be a world id');
  return { limit, after: q.after };
}

/** The named parameters as single strings of at most 64 characters; any other name is refused. */
function only(query: Query, names: readonly string[]): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(query ?? {})) {
    if (!names.includes(name))
      throw invalidQuery(name.slice(0, 64), `unknown parameter (known: ${names.join(', ')})`);
    if (typeof value !== 'string' || value.length > 64)
      throw invalidQuery(name, 'must be given once, at most 64 characters');
    result[name] = value;
  }
  return result;
}

function timestamp(name: string, value: string): Date {
  const ms = RFC3339.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw invalidQuery(name, 'must be an RFC 3339 timestamp');
  return new Date(ms);
}

function oneOf(
  name: string,
  value: string | undefined,
  allowed: readonly number[],
  fallback: number,
) {
  if (value === undefined) return fallback;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || !allowed.includes(seconds))
    throw invalidQuery(name, `must be one of ${allowed.join(', ')} (seconds)`);
  return seconds;
}

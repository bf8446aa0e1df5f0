import { MAX_SERIES, type AnalyticsTotals } from '@anvil/storage';
import { ApiError, ApiErrorCode, invalidQuery } from '../errors/api-error';
import type { FiguresQuery } from './figures-query';

/** The window a figures answer covers when the query does not say. */
export const DEFAULT_WINDOW_MS = 3_600_000;

/** The `[from, to)` a figures answer covers, aligned to whole points of both series. */
export interface FiguresWindow {
  from: Date;
  to: Date;
}

/**
 * The query's window with its defaults (the hour up to the world's last event, not before its
 * first), widened to whole buckets of the wider series. 400 when it is empty or holds more than
 * MAX_SERIES points of either series.
 */
export function windowOf(query: FiguresQuery, totals: AnalyticsTotals, now: Date): FiguresWindow {
  const last = (totals.lastEventAt ?? now).getTime() + 1;
  const to = query.to?.getTime() ?? Math.max(last, (query.from?.getTime() ?? 0) + 1);
  const first = totals.firstEventAt?.getTime() ?? to - DEFAULT_WINDOW_MS;
  const from = query.from?.getTime() ?? Math.min(Math.max(to - DEFAULT_WINDOW_MS, first), to - 1);
  if (from >= to) throw invalidQuery('from', 'must be before to');
  // Every allowed width divides the wider ones, so the wider one aligns both series.
  const unit = Math.max(query.bucketSeconds, query.commandsBucketSeconds) * 1000;
  const start = Math.floor(from / unit) * unit;
  const end = Math.ceil(to / unit) * unit;
  const points =
    (end - start) / (Math.min(query.bucketSeconds, query.commandsBucketSeconds) * 1000);
  if (points > MAX_SERIES) {
    throw new ApiError(
      400,
      ApiErrorCode.RangeTooLarge,
      `the window holds ${points} points; at most ${MAX_SERIES}: narrow from/to or widen the buckets`,
    );
  }
  return { from: new Date(start), to: new Date(end) };
}

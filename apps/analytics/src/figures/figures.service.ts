import type { AnalyticsRepository, AnalyticsTotals, SessionStats } from '@anvil/storage';
import { UNATTRIBUTED } from '../fold/analytics-input';
import { ApiError, ApiErrorCode } from '../errors/api-error';
import type { FiguresQuery, ListQuery } from './figures-query';
import { commandSeries, playerSeries, type CommandPoint, type PlayerPoint } from './series';
import { windowOf } from './window';

/** Where the figures are read from: the storage repository (or the in-memory model in tests). */
export type FigureSource = Pick<
  AnalyticsRepository,
  'totals' | 'worlds' | 'players' | 'commands' | 'sessions'
>;

/** The totals of a world as the API shows them. */
export type Totals = Omit<AnalyticsTotals, 'worldId' | 'playersNow'>;

/** The answer of `GET /worlds/:worldId/figures`. */
export interface WorldFigures {
  worldId: string;
  from: Date;
  to: Date;
  players: { bucketSeconds: number; now: number; series: PlayerPoint[] };
  commands: { bucketSeconds: number; series: CommandPoint[] };
  /** Sessions that ended in the window; `open`: players present now. */
  sessions: SessionStats & { open: number };
  /** Since the world's first event, whatever the window. */
  totals: Totals;
}

/** One world of `GET /worlds`. */
export interface WorldSummary {
  worldId: string;
  playersNow: number;
  events: number;
  malformed: number;
  firstEventAt: Date | null;
  lastEventAt: Date | null;
}

/** The answer of `GET /worlds`. */
export interface WorldList {
  worlds: WorldSummary[];
  /** The `after` of the next page; null on the last one. */
  next: string | null;
  /** Records whose key is not a world id, counted as malformed. */
  unattributed: { malformed: number };
}

/** Reads a world's figures for a window and shapes them into series and statistics. */
export class FiguresService {
  constructor(
    private readonly source: FigureSource,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async figures(worldId: string, query: FiguresQuery): Promise<WorldFigures> {
    const found = await this.source.totals(worldId);
    if (!found)
      throw new ApiError(404, ApiErrorCode.WorldNotFound, `no figures for world ${worldId}`);
    const window = windowOf(query, found, this.now());
    const [players, commands, sessions] = await Promise.all([
      this.source.players(worldId, { ...window, bucketSeconds: query.bucketSeconds }),
      this.source.commands(worldId, { ...window, bucketSeconds: query.commandsBucketSeconds }),
      this.source.sessions(worldId, window),
    ]);
    const { worldId: _id, playersNow, ...totals } = found;
    return {
      worldId,
      from: window.from,
      to: window.to,
      players: {
        bucketSeconds: query.bucketSeconds,
        now: playersNow,
        series: playerSeries(window, query.bucketSeconds, players.carried, players.buckets),
      },
      commands: {
        bucketSeconds: query.commandsBucketSeconds,
        series: commandSeries(window, query.commandsBucketSeconds, commands),
      },
      sessions: { ...sessions, open: playersNow },
      totals,
    };
  }

  async worlds(query: ListQuery): Promise<WorldList> {
    // More than asked tells whether there is a next page (one may be the unattributed row).
    const [rows, unattributed] = await Promise.all([
      this.source.worlds({ limit: query.limit + 2, after: query.after }),
      this.source.totals(UNATTRIBUTED),
    ]);
    const worlds = rows.filter((w) => w.worldId !== UNATTRIBUTED);
    const page = worlds.slice(0, query.limit);
    return {
      worlds: page.map((w) => ({
        worldId: w.worldId,
        playersNow: w.playersNow,
        events: w.events,
        malformed: w.malformed,
        firstEventAt: w.firstEventAt,
        lastEventAt: w.lastEventAt,
      })),
      next: worlds.length > query.limit ? page[page.length - 1].worldId : null,
      unattributed: { malformed: unattributed?.malformed ?? 0 },
    };
  }
}

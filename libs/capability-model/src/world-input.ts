import { PlanContext, ResolveContext } from './context';
import { diagnostic } from './diagnostics';
import { isSafeWorldSegment } from './binding-name';
import { arr, compareStrings, field, isRecord, nameOf, sortStable, str } from './read';
import { Diagnostic, DIAGNOSTIC_CODES as D } from './types';

/** One module of the game: its name and the optional SemVer range on its version. */
export interface GameModule {
  name: string;
  /** Absent means any (non-prerelease) version, like `*`. */
  constraint: string | undefined;
}

const MAX_SHARDS = 1024;

/** Reads the world's name and shards into a fresh context; an unusable spec is a diagnostic. */
export function createContext(world: unknown): ResolveContext {
  const name = nameOf(world);
  const ctx: ResolveContext = {
    world: name,
    worldNameSafe: isSafeWorldSegment(name),
    shards: null,
    diagnostics: [],
  };
  if (ctx.world === '') {
    ctx.diagnostics.push(
      diagnostic('error', D.invalidWorld, '', '', 'the world has no metadata.name'),
    );
  }
  const shards = field(field(world, 'spec'), 'shards');
  if (
    typeof shards === 'number' &&
    Number.isInteger(shards) &&
    shards >= 1 &&
    shards <= MAX_SHARDS
  ) {
    ctx.shards = shards;
  } else {
    const message = `world ${ctx.world}: spec.shards must be an integer from 1 to ${MAX_SHARDS}; world-shard requirements are not bound`;
    ctx.diagnostics.push(diagnostic('error', D.invalidWorld, '', '', message));
  }
  return ctx;
}

/**
 * The game's modules, sorted by name then constraint, each name once. Entries without a
 * name and repeated names are InvalidGame errors (the first in that order is kept); no
 * usable module at all is EmptyGame.
 */
export function readGameModules(game: unknown, ctx: PlanContext): GameModule[] {
  const { modules, diagnostics } = gameReadingOf(game);
  for (const d of diagnostics) ctx.diagnostics.push({ ...d, candidates: [] });
  return modules;
}

/** A game's modules and the problems found reading them (shared: report copies). */
interface GameReading {
  modules: GameModule[];
  diagnostics: Diagnostic[];
}

/**
 * Games, like manifests, are treated as immutable (see manifest-entry.ts), so each game object
 * is read once; what is kept is derived from that object alone.
 */
const gameReadings = new WeakMap<object, GameReading>();

function gameReadingOf(game: unknown): GameReading {
  if (typeof game !== 'object' || game === null) return readGame(game);
  let reading = gameReadings.get(game);
  if (!reading) gameReadings.set(game, (reading = readGame(game)));
  return reading;
}

function readGame(game: unknown): GameReading {
  const gameName = nameOf(game);
  const diagnostics: Diagnostic[] = [];
  const entries: GameModule[] = [];
  for (const item of arr(field(field(game, 'spec'), 'modules'))) {
    const name = str(field(item, 'name'));
    if (!name) {
      const message = `game ${gameName}: a spec.modules entry has no name`;
      diagnostics.push(diagnostic('error', D.invalidGame, '', '', message));
      continue;
    }
    // null is absent, as the API server prunes nulls of non-nullable fields.
    const constraint = isRecord(item) ? item['versionConstraint'] : undefined;
    entries.push({
      name,
      constraint:
        constraint === undefined || constraint === null ? undefined : (str(constraint) ?? ''),
    });
  }
  sortStable(entries, compareGameModules);
  const modules: GameModule[] = [];
  const repeated = new Set<string>();
  for (const entry of entries) {
    if (modules.at(-1)?.name === entry.name) repeated.add(entry.name);
    else modules.push(entry);
  }
  for (const name of repeated) {
    const message = `game ${gameName} lists module ${name} more than once; only its first entry (by constraint) is used`;
    diagnostics.push(diagnostic('error', D.invalidGame, name, '', message));
  }
  if (modules.length === 0) {
    diagnostics.push(diagnostic('error', D.emptyGame, '', '', `game ${gameName} has no modules`));
  }
  return { modules, diagnostics };
}

function compareGameModules(a: GameModule, b: GameModule): number {
  if (a.name !== b.name) return compareStrings(a.name, b.name);
  if (a.constraint === undefined || b.constraint === undefined) {
    return (a.constraint === undefined ? 0 : 1) - (b.constraint === undefined ? 0 : 1);
  }
  return compareStrings(a.constraint, b.constraint);
}

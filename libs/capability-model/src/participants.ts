import type { Range, SemVer } from 'semver';
import { PlanContext } from './context';
import { diagnostic, listSome } from './diagnostics';
import { parseRange } from './semver-rules';
import { isModuleEntry, listingOf, ModuleEntry } from './manifest-entry';
import { arr, canonicalKey, compareStrings, sortStable } from './read';
import { DIAGNOSTIC_CODES as D } from './types';
import { GameModule } from './world-input';

/** The manifest chosen for one game module. */
export type ChosenManifest = ModuleEntry;

/** A manifest whose module is not in the game (only a source of NotInGame near misses). */
export type Outsider = ModuleEntry;

/** A manifest whose spec.version is valid SemVer. */
type Version = ChosenManifest & { semver: SemVer };

const ANY = parseRange('*');

/**
 * Rule 1: for each game module, the highest `spec.version` satisfying the game's constraint
 * (absent = `*`, so prereleases only when the constraint names one). Manifests of other
 * modules are returned as outsiders. Returned in game-module (name) order.
 */
export function selectParticipants(modules: GameModule[], manifests: unknown, ctx: PlanContext) {
  const inGame = new Map(modules.map((m) => [m.name, [] as ChosenManifest[]]));
  const outsiders: Outsider[] = [];
  for (const manifest of arr(manifests)) {
    const listing = listingOf(manifest);
    if (!isModuleEntry(listing)) {
      ctx.diagnostics.push({ ...listing, candidates: [] });
      continue;
    }
    const versions = inGame.get(listing.module);
    if (versions) versions.push(listing);
    else outsiders.push(listing);
  }
  const chosen: ChosenManifest[] = [];
  for (const module of modules) {
    const pick = chooseVersion(module, inGame.get(module.name) ?? [], ctx);
    if (pick) chosen.push(pick);
  }
  return { chosen, outsiders };
}

function chooseVersion(
  module: GameModule,
  manifests: ChosenManifest[],
  ctx: PlanContext,
): ChosenManifest | undefined {
  const { name, constraint } = module;
  const { diagnostics, game } = ctx;
  if (manifests.length === 0) {
    const message = `game ${game} includes module ${name}, but no ModuleManifest for it exists`;
    diagnostics.push(diagnostic('error', D.moduleNotFound, name, '', message));
    return undefined;
  }
  const range = constraint === undefined ? ANY : ctx.parse.range(constraint);
  if (!range) {
    const message = `game ${game}: module ${name} has an invalid version constraint "${constraint}"`;
    diagnostics.push(diagnostic('error', D.invalidConstraint, name, '', message));
    return undefined;
  }
  let best: Version | undefined;
  let tied = false; // another satisfying manifest had the best version so far
  for (const manifest of manifests) {
    if (!hasVersion(manifest)) {
      const message = `ModuleManifest ${manifest.manifestName}: spec.version "${manifest.version}" of module ${name} is not a valid SemVer version; ignored`;
      diagnostics.push(diagnostic('warning', D.invalidVersion, name, '', message));
      continue;
    }
    if (!ctx.parse.satisfies(range, manifest.semver)) continue;
    if (best && manifest.semver.compare(best.semver) === 0) tied = true;
    if (!best || compareVersions(manifest, best) < 0) best = manifest;
  }
  if (!best) {
    const valid = sortStable(manifests.filter(hasVersion), compareVersions);
    const available = [...new Set(valid.map((v) => v.version))];
    const message = `game ${game} wants module ${name} ${constraint ?? '*'}: no ModuleManifest satisfies it (available: ${available.length ? listSome(available, 10) : 'no valid version'})`;
    diagnostics.push(diagnostic('error', D.noSatisfyingModuleVersion, name, '', message));
    return undefined;
  }
  if (tied) reportDuplicates(best, manifests, range, ctx);
  return best;
}

const hasVersion = (manifest: ChosenManifest): manifest is Version => manifest.semver !== null;

/** Version descending; equal versions by manifest name, version string, then content. */
function compareVersions(a: Version, b: Version): number {
  return (
    b.semver.compare(a.semver) ||
    compareStrings(a.manifestName, b.manifestName) ||
    compareStrings(a.version, b.version) ||
    compareStrings(canonicalKey(a.spec), canonicalKey(b.spec))
  );
}

/** Warns when more manifests than `best` publish its version (all of them satisfy the range). */
function reportDuplicates(
  best: Version,
  manifests: ChosenManifest[],
  range: Range,
  ctx: PlanContext,
): void {
  const top = manifests.filter(
    (m): m is Version =>
      hasVersion(m) && m.semver.compare(best.semver) === 0 && ctx.parse.satisfies(range, m.semver),
  );
  if (top.length < 2) return;
  sortStable(top, compareVersions);
  const { module, version, manifestName } = top[0];
  const names = top.map((v) => v.manifestName || '(unnamed)');
  const message = `module ${module} version ${version} is published by ${top.length} ModuleManifests (${listSome(names, 10)}); using ${manifestName || '(unnamed)'}`;
  ctx.diagnostics.push(diagnostic('warning', D.duplicateModule, module, '', message));
}

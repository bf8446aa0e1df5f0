import type { SemVer } from 'semver';
import { ResolveContext } from './context';
import { diagnostic, listSome } from './diagnostics';
import { parseRange } from './semver-rules';
import { arr, canonicalKey, compareStrings, field, isRecord, nameOf, str } from './read';
import { DIAGNOSTIC_CODES as D } from './types';
import { GameModule } from './world-input';

/** The manifest chosen for one game module. */
export interface ChosenManifest {
  module: string;
  version: string;
  manifestName: string;
  spec: Record<string, unknown>;
}

/**
 * The spec of a manifest whose module is not in the game (only a source of NotInGame near
 * misses; its `module` is known to be a non-empty string).
 */
export type Outsider = Record<string, unknown>;

interface Version {
  semver: SemVer;
  manifest: ChosenManifest;
}

const ANY = parseRange('*');

/**
 * Rule 1: for each game module, the highest `spec.version` satisfying the game's constraint
 * (absent = `*`, so prereleases only when the constraint names one). Manifests of other
 * modules are returned as outsiders. Returned in game-module (name) order.
 */
export function selectParticipants(modules: GameModule[], manifests: unknown, ctx: ResolveContext) {
  const inGame = new Map(modules.map((m) => [m.name, [] as ChosenManifest[]]));
  const outsiders: Outsider[] = [];
  for (const manifest of arr(manifests)) {
    const spec = field(manifest, 'spec');
    const module = isRecord(spec) ? str(spec['module']) : undefined;
    if (!isRecord(spec) || !module || field(manifest, 'kind') !== 'ModuleManifest') {
      reportUnusable(manifest, module, ctx);
      continue;
    }
    const versions = inGame.get(module);
    if (!versions) {
      outsiders.push(spec);
      continue;
    }
    const version = str(spec['version']) ?? '';
    versions.push({ module, version, manifestName: nameOf(manifest), spec });
  }
  const chosen: ChosenManifest[] = [];
  for (const module of modules) {
    const pick = chooseVersion(module, inGame.get(module.name) ?? [], ctx);
    if (pick) chosen.push(pick);
  }
  return { chosen, outsiders };
}

function reportUnusable(manifest: unknown, module: string | undefined, ctx: ResolveContext): void {
  const what =
    field(manifest, 'kind') !== 'ModuleManifest' ? 'is not a ModuleManifest' : 'has no spec.module';
  const message = `manifest "${nameOf(manifest)}" ${what}; ignored`;
  ctx.diagnostics.push(diagnostic('warning', D.invalidManifest, module ?? '', '', message));
}

function chooseVersion(
  module: GameModule,
  manifests: ChosenManifest[],
  ctx: ResolveContext,
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
  const valid: Version[] = [];
  for (const manifest of manifests) {
    const semver = ctx.parse.version(manifest.version);
    if (semver) valid.push({ semver, manifest });
    else {
      const message = `ModuleManifest ${manifest.manifestName}: spec.version "${manifest.version}" of module ${name} is not a valid SemVer version; ignored`;
      diagnostics.push(diagnostic('warning', D.invalidVersion, name, '', message));
    }
  }
  const satisfying = valid.filter((v) => range.test(v.semver)).sort(compareVersions);
  if (satisfying.length === 0) {
    const available = [...new Set(valid.sort(compareVersions).map((v) => v.manifest.version))];
    const message = `game ${game} wants module ${name} ${constraint ?? '*'}: no ModuleManifest satisfies it (available: ${available.length ? listSome(available, 10) : 'no valid version'})`;
    diagnostics.push(diagnostic('error', D.noSatisfyingModuleVersion, name, '', message));
    return undefined;
  }
  reportDuplicates(satisfying, ctx);
  return satisfying[0].manifest;
}

/** Version descending; equal versions by manifest name, version string, then content. */
function compareVersions(a: Version, b: Version): number {
  return (
    b.semver.compare(a.semver) ||
    compareStrings(a.manifest.manifestName, b.manifest.manifestName) ||
    compareStrings(a.manifest.version, b.manifest.version) ||
    compareStrings(canonicalKey(a.manifest.spec), canonicalKey(b.manifest.spec))
  );
}

function reportDuplicates(sorted: Version[], ctx: ResolveContext): void {
  const top = sorted.filter((v) => v.semver.compare(sorted[0].semver) === 0);
  if (top.length < 2) return;
  const { module, version, manifestName } = top[0].manifest;
  const names = top.map((v) => v.manifest.manifestName || '(unnamed)');
  const message = `module ${module} version ${version} is published by ${top.length} ModuleManifests (${listSome(names, 10)}); using ${manifestName || '(unnamed)'}`;
  ctx.diagnostics.push(diagnostic('warning', D.duplicateModule, module, '', message));
}

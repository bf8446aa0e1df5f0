import { isSafeCapabilitySegment, isSafeModuleSegment } from './binding-name';
import { ParseCache } from './context';
import { diagnostic, severityOf } from './diagnostics';
import { Offer, Requirement } from './model';
import { canonicalKey, compareStrings, isRecord, str } from './read';
import {
  DEPENDENCY_MODES,
  DependencyMode,
  Diagnostic,
  DIAGNOSTIC_CODES as D,
  MULTIPLICITIES,
  Multiplicity,
  Scope,
  SCOPES,
} from './types';

/**
 * Reads a participating manifest's `provides` and `requires` into the resolver's model.
 * Entries are sorted canonically first (never input order), then each capability id is kept
 * once, so the same manifest written in any order reads the same. What cannot be used is a
 * diagnostic: an unusable offer is a warning (it only matters if someone needs it, and then
 * that requirement's diagnostic is the error); an unusable requirement is an error when
 * required and a warning when optional.
 */

/** What a participating manifest's spec offers and requires, and the problems reading it. */
export interface Capabilities {
  offers: Offer[];
  requirements: Requirement[];
  /** Shared by every resolution that reads this spec: report copies, never these objects. */
  diagnostics: Diagnostic[];
}

/**
 * Manifests are treated as immutable (the controller's informer cache replaces an object when
 * it changes, and resolve() never writes to its inputs), so a spec is read once per object and
 * what is read from it is kept as long as the object lives. Everything kept is derived from
 * the spec object alone, never from the world, the game or the other manifests.
 */
const capabilitiesMemo = new WeakMap<Record<string, unknown>, Capabilities>();

/** The offers and requirements of a participating manifest's spec (with spec.module as the module). */
export function readCapabilities(spec: Record<string, unknown>, parse: ParseCache): Capabilities {
  let capabilities = capabilitiesMemo.get(spec);
  if (!capabilities) {
    const module = str(spec['module']) ?? '';
    const diagnostics: Diagnostic[] = [];
    capabilities = {
      offers: readOffers(module, spec, parse, diagnostics),
      requirements: readRequirements(module, spec, parse, diagnostics),
      diagnostics,
    };
    capabilitiesMemo.set(spec, capabilities);
  }
  return capabilities;
}

interface RawEntry {
  capabilityId: string;
  fields: Record<string, unknown>;
}

const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);
const text = (entry: RawEntry, key: string): string => str(entry.fields[key]) ?? '';

/** Capability id, then the given fields as text, then the whole entry: a total order. */
function compareEntries(a: RawEntry, b: RawEntry, keys: readonly string[]): number {
  const byId = compareStrings(a.capabilityId, b.capabilityId);
  if (byId !== 0) return byId;
  for (const key of keys) {
    const c = compareStrings(text(a, key), text(b, key));
    if (c !== 0) return c;
  }
  return compareStrings(canonicalKey(a.fields), canonicalKey(b.fields));
}

/** The entries of `spec[key]` that are objects with a capability id, sorted; first per id kept. */
function readEntries(
  module: string,
  spec: Record<string, unknown>,
  key: string,
  keys: readonly string[],
  diagnostics: Diagnostic[],
  severity: 'error' | 'warning',
) {
  const raw = spec[key];
  const kept: RawEntry[] = [];
  const dropped: RawEntry[] = [];
  if (raw === undefined || raw === null) return { kept, dropped };
  const report = (message: string) =>
    diagnostics.push(diagnostic(severity, D.invalidManifest, module, '', message));
  if (!Array.isArray(raw)) report(`${module}: spec.${key} is not a list; ignored`);
  const entries: RawEntry[] = [];
  for (const item of Array.isArray(raw) ? raw : []) {
    const capabilityId = isRecord(item) ? str(item['capabilityId']) : undefined;
    if (isRecord(item) && capabilityId) entries.push({ capabilityId, fields: item });
    else report(`${module}: a spec.${key} entry has no capabilityId; ignored`);
  }
  if (entries.length > 1) entries.sort((a, b) => compareEntries(a, b, keys));
  for (let i = 0; i < entries.length; i++) {
    (i > 0 && entries[i - 1].capabilityId === entries[i].capabilityId ? dropped : kept).push(
      entries[i],
    );
  }
  return { kept, dropped };
}

/** The offers of a participating module (unusable scope or version kept for near misses). */
function readOffers(
  module: string,
  spec: Record<string, unknown>,
  parse: ParseCache,
  diagnostics: Diagnostic[],
): Offer[] {
  const keys = ['scope', 'version'];
  const { kept, dropped } = readEntries(module, spec, 'provides', keys, diagnostics, 'warning');
  const warn = (
    code: typeof D.invalidManifest | typeof D.invalidScope | typeof D.invalidVersion,
    capabilityId: string,
    message: string,
  ) => diagnostics.push(diagnostic('warning', code, module, capabilityId, message));
  for (const { capabilityId } of dropped) {
    warn(
      D.invalidManifest,
      capabilityId,
      `${module} provides ${capabilityId} more than once; only one entry is used`,
    );
  }
  const nameSafe = isSafeModuleSegment(module);
  return kept.map((entry) => {
    const { capabilityId } = entry;
    const [scope, version] = [text(entry, 'scope'), text(entry, 'version')];
    const semver = parse.version(version);
    if (!isScope(scope))
      warn(
        D.invalidScope,
        capabilityId,
        `${module} provides ${capabilityId} at unknown scope "${scope}"; it cannot be bound`,
      );
    if (!semver)
      warn(
        D.invalidVersion,
        capabilityId,
        `${module} provides ${capabilityId} with invalid version "${version}"; it cannot be bound`,
      );
    return { module, capabilityId, scope, version, semver, nameSafe };
  });
}

/** The usable requirements of a participating module, defaults applied ('1', 'required'). */
function readRequirements(
  module: string,
  spec: Record<string, unknown>,
  parse: ParseCache,
  diagnostics: Diagnostic[],
): Requirement[] {
  const keys = ['scope', 'versionConstraint', 'multiplicity', 'dependencyMode'];
  const { kept, dropped } = readEntries(module, spec, 'requires', keys, diagnostics, 'error');
  for (const entry of dropped) {
    const message = `${module} requires ${entry.capabilityId} more than once; only one entry is used`;
    diagnostics.push(
      diagnostic(
        severityOf(modeOf(entry.fields)),
        D.invalidManifest,
        module,
        entry.capabilityId,
        message,
      ),
    );
  }
  const consumerSafe = isSafeModuleSegment(module);
  const requirements: Requirement[] = [];
  for (const entry of kept) {
    const requirement = readRequirement(module, entry, consumerSafe, parse, diagnostics);
    if (requirement) requirements.push(requirement);
  }
  return requirements;
}

/** The dependency mode for severities: 'required' unless it says 'optional' (the strict reading). */
const modeOf = (fields: Record<string, unknown>): DependencyMode =>
  fields['dependencyMode'] === 'optional' ? 'optional' : 'required';

const quoted = (value: unknown) => JSON.stringify(str(value) ?? typeof value);

function readRequirement(
  consumer: string,
  entry: RawEntry,
  consumerSafe: boolean,
  parse: ParseCache,
  diagnostics: Diagnostic[],
): Requirement | undefined {
  const { capabilityId, fields } = entry;
  const [scope, versionConstraint] = [text(entry, 'scope'), text(entry, 'versionConstraint')];
  const multiplicity = fields['multiplicity'] ?? '1';
  const dependencyMode = fields['dependencyMode'] ?? 'required';
  const report = (code: (typeof D)[keyof typeof D], message: string) => {
    diagnostics.push(diagnostic(severityOf(modeOf(fields)), code, consumer, capabilityId, message));
    return undefined;
  };
  const what = `${consumer} requires ${capabilityId}`;
  if (!(DEPENDENCY_MODES as readonly unknown[]).includes(dependencyMode)) {
    return report(
      D.invalidManifest,
      `${what} with unknown dependencyMode ${quoted(dependencyMode)}`,
    );
  }
  if (!(MULTIPLICITIES as readonly unknown[]).includes(multiplicity)) {
    return report(D.invalidManifest, `${what} with unknown multiplicity ${quoted(multiplicity)}`);
  }
  if (!isScope(scope)) return report(D.invalidScope, `${what} at unknown scope "${scope}"`);
  const range = parse.range(versionConstraint);
  if (!range)
    return report(
      D.invalidConstraint,
      `${what} with invalid version constraint "${versionConstraint}"`,
    );
  return {
    consumer,
    capabilityId,
    scope,
    versionConstraint,
    range,
    multiplicity: multiplicity as Multiplicity,
    dependencyMode: dependencyMode as DependencyMode,
    nameSafe: consumerSafe && isSafeCapabilitySegment(capabilityId),
  };
}

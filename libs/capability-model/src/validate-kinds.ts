import {
  checkArray,
  checkEnum,
  checkInteger,
  checkItemObject,
  checkObject,
  checkRequiredString,
  checkString,
  checkUnique,
} from './field-checks';
import { CAPABILITY_ID_MAX } from './patterns';
import { MULTIPLICITIES, SCOPES } from './types';
import { checkEndpoint } from './validate-manifest';
import { IssueList, itemPath } from './validation-issue';

/**
 * Spec checks of GameDefinition, WorldInstance and CapabilityBinding, mirroring their CRDs.
 * Each takes the whole object (header already checked) and reports into `issues`.
 */

/** GameDefinition: 1..128 modules with unique DNS-label names and optional SemVer ranges. */
export function checkGameSpec(issues: IssueList, game: Record<string, unknown>): void {
  const spec = checkObject(issues, game, 'spec', '', true);
  if (!spec) return;
  checkString(issues, spec, 'description', 'spec', { maxLength: 1024 });
  const modules = checkArray(issues, spec, 'modules', 'spec', {
    required: true,
    minItems: 1,
    maxItems: 128,
  });
  if (!modules) return;
  modules.forEach((item, i) => {
    const path = itemPath('spec.modules', i);
    if (!checkItemObject(issues, item, path)) return;
    checkRequiredString(issues, item, 'name', path, 63, 'dnsLabel');
    checkString(issues, item, 'versionConstraint', path, { maxLength: 256, shape: 'semverRange' });
  });
  checkUnique(issues, modules, 'name', 'spec.modules', 'module');
}

/** WorldInstance: a gameRef (DNS subdomain), a region, 1..1024 shards, optional limits. */
export function checkWorldSpec(issues: IssueList, world: Record<string, unknown>): void {
  const spec = checkObject(issues, world, 'spec', '', true);
  if (!spec) return;
  checkRequiredString(issues, spec, 'gameRef', 'spec', 253, 'dnsSubdomain');
  checkRequiredString(issues, spec, 'region', 'spec', 63);
  checkInteger(issues, spec, 'shards', 'spec', { required: true, min: 1, max: 1024 });
  const limits = checkObject(issues, spec, 'limits', 'spec');
  if (!limits) return;
  checkInteger(issues, limits, 'maxPlayers', 'spec.limits', { min: 1, max: 100000 });
  checkInteger(issues, limits, 'tickRateHz', 'spec.limits', { min: 1, max: 240 });
}

/** CapabilityBinding: consumer and provider references, capability, version, scope, rank, shard. */
export function checkBindingSpec(issues: IssueList, binding: Record<string, unknown>): void {
  const spec = checkObject(issues, binding, 'spec', '', true);
  if (!spec) return;
  checkRequiredString(issues, spec, 'worldRef', 'spec', 253);
  for (const side of ['consumer', 'provider'] as const) {
    const ref = checkObject(issues, spec, side, 'spec', true);
    if (!ref) continue;
    const path = `spec.${side}`;
    checkRequiredString(issues, ref, 'module', path, 63, 'dnsLabel');
    checkRequiredString(issues, ref, 'version', path, 128, 'semver');
    if (side === 'provider') checkEndpoint(issues, ref, 'endpoint', path);
  }
  checkRequiredString(issues, spec, 'capabilityId', 'spec', CAPABILITY_ID_MAX);
  checkRequiredString(issues, spec, 'capabilityVersion', 'spec', 128, 'semver');
  checkEnum(issues, spec, 'scope', 'spec', SCOPES, true);
  checkEnum(issues, spec, 'multiplicity', 'spec', MULTIPLICITIES, true);
  checkInteger(issues, spec, 'rank', 'spec', { required: true, min: 0 });
  checkInteger(issues, spec, 'shard', 'spec', { min: 0 });
}

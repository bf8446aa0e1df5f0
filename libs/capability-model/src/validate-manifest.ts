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
import { isRecord } from './read';
import { DEPENDENCY_MODES, MULTIPLICITIES, SCOPES } from './types';
import { checkHeader } from './validate-header';
import { IssueList, itemPath, ValidationIssue, VALIDATION_CODES as C } from './validation-issue';

/** The endpoint protocols of the CRD (`spec.endpoint.protocol`). */
export const PROTOCOLS = ['grpc', 'http', 'socket.io'] as const;

const MAX_CAPABILITIES = 64;

/**
 * Validates a ModuleManifest against the rules of deploy/crds/modulemanifests.yaml: schema
 * (types, required fields, lengths, enums, patterns) and CEL rules (SemVer versions and ranges,
 * unique capability ids). Never throws; returns [] for a valid manifest.
 */
export function validateManifest(manifest: unknown): ValidationIssue[] {
  const issues = new IssueList();
  if (!isRecord(manifest)) {
    issues.add('', C.notAnObject, 'must be an object');
    return issues.issues;
  }
  checkHeader(issues, manifest, 'ModuleManifest');
  checkManifestSpec(issues, manifest);
  return issues.issues;
}

/** The spec of a ModuleManifest (also used by validateObject after its own header check). */
export function checkManifestSpec(issues: IssueList, manifest: Record<string, unknown>): void {
  const spec = checkObject(issues, manifest, 'spec', '', true);
  if (!spec) return;
  checkRequiredString(issues, spec, 'module', 'spec', 63, 'dnsLabel');
  checkRequiredString(issues, spec, 'version', 'spec', 128, 'semver');
  checkRequiredString(issues, spec, 'image', 'spec', 512);
  checkEndpoint(issues, spec, 'endpoint', 'spec');
  const provides = checkArray(issues, spec, 'provides', 'spec', { maxItems: MAX_CAPABILITIES });
  provides?.forEach((item, i) => checkProvided(issues, item, itemPath('spec.provides', i)));
  if (provides) checkUnique(issues, provides, 'capabilityId', 'spec.provides', 'capabilityId');
  const requires = checkArray(issues, spec, 'requires', 'spec', { maxItems: MAX_CAPABILITIES });
  requires?.forEach((item, i) => checkRequired(issues, item, itemPath('spec.requires', i)));
  if (requires) checkUnique(issues, requires, 'capabilityId', 'spec.requires', 'capabilityId');
}

/** An endpoint object ({port, protocol, host?}) at `path.key`; shared with CapabilityBinding. */
export function checkEndpoint(
  issues: IssueList,
  parent: Record<string, unknown>,
  key: string,
  path: string,
): void {
  const endpoint = checkObject(issues, parent, key, path, true);
  if (!endpoint) return;
  const at = `${path}.${key}`;
  checkString(issues, endpoint, 'host', at, { maxLength: 253 });
  checkInteger(issues, endpoint, 'port', at, { required: true, min: 1, max: 65535 });
  checkEnum(issues, endpoint, 'protocol', at, PROTOCOLS, true);
}

function checkProvided(issues: IssueList, item: unknown, path: string): void {
  if (!checkItemObject(issues, item, path)) return;
  checkRequiredString(issues, item, 'capabilityId', path, CAPABILITY_ID_MAX, 'dnsSubdomain');
  checkRequiredString(issues, item, 'version', path, 128, 'semver');
  checkEnum(issues, item, 'scope', path, SCOPES, true);
}

function checkRequired(issues: IssueList, item: unknown, path: string): void {
  if (!checkItemObject(issues, item, path)) return;
  checkRequiredString(issues, item, 'capabilityId', path, CAPABILITY_ID_MAX, 'dnsSubdomain');
  checkString(issues, item, 'versionConstraint', path, {
    required: true,
    maxLength: 256,
    shape: 'semverRange',
  });
  checkEnum(issues, item, 'scope', path, SCOPES, true);
  // The CRD defaults these ('1', 'required'), so they may be absent.
  checkEnum(issues, item, 'multiplicity', path, MULTIPLICITIES);
  checkEnum(issues, item, 'dependencyMode', path, DEPENDENCY_MODES);
}

import { isRecord } from './read';
import { Kind } from './types';
import { checkHeader } from './validate-header';
import { checkBindingSpec, checkGameSpec, checkWorldSpec } from './validate-kinds';
import { checkManifestSpec } from './validate-manifest';
import { IssueList, ValidationIssue, VALIDATION_CODES as C } from './validation-issue';

export { validateManifest, PROTOCOLS } from './validate-manifest';

const SPEC_CHECKS: Record<Kind, (issues: IssueList, obj: Record<string, unknown>) => void> = {
  ModuleManifest: checkManifestSpec,
  GameDefinition: checkGameSpec,
  WorldInstance: checkWorldSpec,
  CapabilityBinding: checkBindingSpec,
};

/**
 * Validates any anvil.dev object (ModuleManifest, GameDefinition, WorldInstance,
 * CapabilityBinding) against what its CRD's schema and CEL rules say, so a CLI or test can
 * refuse what the API server would refuse, with a path per problem. Never throws, whatever
 * the input; an unknown kind is one issue at `kind` and its spec is not checked.
 */
export function validateObject(obj: unknown): ValidationIssue[] {
  const issues = new IssueList();
  if (!isRecord(obj)) {
    issues.add('', C.notAnObject, 'must be an object');
    return issues.issues;
  }
  checkHeader(issues, obj);
  const kind = obj['kind'];
  if (typeof kind === 'string' && Object.prototype.hasOwnProperty.call(SPEC_CHECKS, kind)) {
    SPEC_CHECKS[kind as Kind](issues, obj);
  }
  return issues.issues;
}

/** Validates a GameDefinition (header and spec). */
export function validateGameDefinition(game: unknown): ValidationIssue[] {
  return validateKind(game, 'GameDefinition');
}

/** Validates a WorldInstance (header and spec; status is the controller's and is not checked). */
export function validateWorldInstance(world: unknown): ValidationIssue[] {
  return validateKind(world, 'WorldInstance');
}

/** Validates a CapabilityBinding (header and spec). */
export function validateCapabilityBinding(binding: unknown): ValidationIssue[] {
  return validateKind(binding, 'CapabilityBinding');
}

function validateKind(obj: unknown, kind: Kind): ValidationIssue[] {
  const issues = new IssueList();
  if (!isRecord(obj)) {
    issues.add('', C.notAnObject, 'must be an object');
    return issues.issues;
  }
  checkHeader(issues, obj, kind);
  SPEC_CHECKS[kind](issues, obj);
  return issues.issues;
}

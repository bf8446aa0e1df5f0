import { NearMisses } from './candidates';
import { diagnostic, MAX_CANDIDATES_IN_MESSAGE } from './diagnostics';
import { Requirement } from './model';
import { Candidate, CANDIDATE_REASONS as R, Diagnostic, DIAGNOSTIC_CODES as D } from './types';

/**
 * Rule 5's diagnostic for a requirement nothing satisfies: RequirementUnresolved (error) or
 * OptionalRequirementUnresolved (warning), with a sentence naming each near miss, e.g.
 * `interaction-engine requires physics.simulation ^2.0.0 at scope world: no provider;
 * physics-basic provides 1.4.0 (outside ^2.0.0)`. The diagnostic keeps the candidates given
 * (the first MAX_CANDIDATES near misses).
 */
export function unresolvedDiagnostic(
  requirement: Requirement,
  { candidates, count }: NearMisses,
  game: string,
): Diagnostic {
  const { consumer, capabilityId, versionConstraint } = requirement;
  const optional = requirement.dependencyMode === 'optional';
  // One flat string: messages are kept, and compared when diagnostics are sorted.
  const message = [headOf(requirement)];
  if (count === 0) message.push(' in game ', game);
  const shown = Math.min(candidates.length, MAX_CANDIDATES_IN_MESSAGE);
  for (let i = 0; i < shown; i++) describe(message, candidates[i], versionConstraint, game);
  if (count > shown) message.push('; and ', String(count - shown), ' more');
  const code = optional ? D.optionalUnresolved : D.requirementUnresolved;
  return diagnostic(
    optional ? 'warning' : 'error',
    code,
    consumer,
    capabilityId,
    message.join(''),
    candidates,
  );
}

/** Requirements are read once per manifest (see capabilities.ts), so their heads are built once too. */
const heads = new WeakMap<Requirement, string>();

/** `<consumer> [optionally ]requires <capability> <constraint> at scope <scope>: no provider` */
function headOf(requirement: Requirement): string {
  let head = heads.get(requirement);
  if (head === undefined) {
    const { consumer, capabilityId, versionConstraint, scope, dependencyMode } = requirement;
    const verb = dependencyMode === 'optional' ? 'optionally requires' : 'requires';
    head = `${consumer} ${verb} ${capabilityId} ${versionConstraint} at scope ${scope}: no provider`;
    heads.set(requirement, head);
  }
  return head;
}

/** Appends `; <module> provides <version> ...` for one near miss, piece by piece. */
function describe(out: string[], c: Candidate, constraint: string, game: string): void {
  out.push('; ', c.module, ' provides ');
  switch (c.reason) {
    case R.versionOutOfRange:
      out.push(c.version, ' (outside ', constraint, ')');
      return;
    case R.scopeMismatch:
      out.push(c.version, ' at scope ', String(c.scope));
      return;
    case R.notInGame:
      out.push(c.version, ' at scope ', String(c.scope), ' but is not in game ', game);
      return;
    case R.invalidVersion:
      out.push('invalid version "', c.version, '"');
      return;
    case R.selfProvided:
      out.push(c.version, ' itself, and a module never binds to itself');
      return;
    default:
      out.push(c.version, ' (', c.reason, ')');
  }
}

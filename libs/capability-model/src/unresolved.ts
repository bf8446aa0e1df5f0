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
  // Concatenated, not joined: V8 keeps the pieces as a rope and flattens it only when read
  // (sorting compares messages only between diagnostics of one requirement), which costs a
  // third of building an array and joining it, for every unresolved requirement of every world.
  let message = headOf(requirement);
  if (count === 0) message += ` in game ${game}`;
  const shown = Math.min(candidates.length, MAX_CANDIDATES_IN_MESSAGE);
  for (let i = 0; i < shown; i++) message += describe(candidates[i], versionConstraint, game);
  if (count > shown) message += `; and ${count - shown} more`;
  const code = optional ? D.optionalUnresolved : D.requirementUnresolved;
  return diagnostic(
    optional ? 'warning' : 'error',
    code,
    consumer,
    capabilityId,
    message,
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

/** `; <module> provides <version> ...` for one near miss. */
function describe(c: Candidate, constraint: string, game: string): string {
  const head = `; ${c.module} provides `;
  switch (c.reason) {
    case R.versionOutOfRange:
      return `${head}${c.version} (outside ${constraint})`;
    case R.scopeMismatch:
      return `${head}${c.version} at scope ${String(c.scope)}`;
    case R.notInGame:
      return `${head}${c.version} at scope ${String(c.scope)} but is not in game ${game}`;
    case R.invalidVersion:
      return `${head}invalid version "${c.version}"`;
    case R.selfProvided:
      return `${head}${c.version} itself, and a module never binds to itself`;
    default:
      return `${head}${c.version} (${c.reason})`;
  }
}

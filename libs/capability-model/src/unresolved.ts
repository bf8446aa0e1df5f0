import { diagnostic, MAX_CANDIDATES, MAX_CANDIDATES_IN_MESSAGE } from './diagnostics';
import { Requirement } from './model';
import { Candidate, CANDIDATE_REASONS as R, Diagnostic, DIAGNOSTIC_CODES as D } from './types';

/**
 * Rule 5's diagnostic for a requirement nothing satisfies: RequirementUnresolved (error) or
 * OptionalRequirementUnresolved (warning), with a sentence naming each near miss, e.g.
 * `interaction-engine requires physics.simulation ^2.0.0 at scope world: no provider;
 * physics-basic provides 1.4.0 (outside ^2.0.0)`. At most MAX_CANDIDATES candidates are kept.
 */
export function unresolvedDiagnostic(
  requirement: Requirement,
  nearMisses: Candidate[],
  game: string,
): Diagnostic {
  const { consumer, capabilityId, versionConstraint, scope, dependencyMode } = requirement;
  const optional = dependencyMode === 'optional';
  const verb = optional ? 'optionally requires' : 'requires';
  const head = `${consumer} ${verb} ${capabilityId} ${versionConstraint} at scope ${scope}: no provider`;
  const shown = nearMisses
    .slice(0, MAX_CANDIDATES_IN_MESSAGE)
    .map((c) => describe(c, versionConstraint, game));
  const more = nearMisses.length - shown.length;
  const tail =
    nearMisses.length === 0
      ? ` in game ${game}`
      : `; ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
  const code = optional ? D.optionalUnresolved : D.requirementUnresolved;
  return diagnostic(
    optional ? 'warning' : 'error',
    code,
    consumer,
    capabilityId,
    head + tail,
    nearMisses.slice(0, MAX_CANDIDATES),
  );
}

function describe(c: Candidate, constraint: string, game: string): string {
  switch (c.reason) {
    case R.versionOutOfRange:
      return `${c.module} provides ${c.version} (outside ${constraint})`;
    case R.scopeMismatch:
      return `${c.module} provides ${c.version} at scope ${c.scope}`;
    case R.notInGame:
      return `${c.module} provides ${c.version} at scope ${c.scope} but is not in game ${game}`;
    case R.invalidVersion:
      return `${c.module} provides invalid version "${c.version}"`;
    case R.selfProvided:
      return `${c.module} provides ${c.version} itself, and a module never binds to itself`;
    default:
      return `${c.module} provides ${c.version} (${c.reason})`;
  }
}

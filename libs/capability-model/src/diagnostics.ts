import { Candidate, DependencyMode, Diagnostic, DiagnosticCode, Severity } from './types';
import { compareStrings } from './read';

/** Most candidates kept on one diagnostic (the rest are counted in its message). */
export const MAX_CANDIDATES = 20;
/** Most near misses spelled out in one message. */
export const MAX_CANDIDATES_IN_MESSAGE = 5;

/** Builds a diagnostic with its keys in the documented order. */
export function diagnostic(
  severity: Severity,
  code: DiagnosticCode,
  consumer: string,
  capabilityId: string,
  message: string,
  candidates: Candidate[] = [],
): Diagnostic {
  return { severity, code, consumer, capabilityId, message, candidates };
}

/** A required dependency's problem is an error; an optional one's, a warning. */
export const severityOf = (mode: DependencyMode): Severity =>
  mode === 'optional' ? 'warning' : 'error';

/** Candidates by module, version, then scope and reason so the order is total. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    compareStrings(a.module, b.module) ||
    compareStrings(a.version, b.version) ||
    compareStrings(String(a.scope), String(b.scope)) ||
    compareStrings(a.reason, b.reason)
  );
}

const candidatesKey = (d: Diagnostic) => JSON.stringify(d.candidates);

/** Diagnostics by consumer, capability, code, message; severity and candidates break ties. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareStrings(a.consumer, b.consumer) ||
    compareStrings(a.capabilityId, b.capabilityId) ||
    compareStrings(a.code, b.code) ||
    compareStrings(a.message, b.message) ||
    compareStrings(a.severity, b.severity) ||
    compareStrings(candidatesKey(a), candidatesKey(b))
  );
}

/** "a, b, c" with at most `max` items and "and N more". */
export function listSome(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

import { checkObject, checkRequiredString, checkString } from './field-checks';
import { API_VERSION, Kind, KINDS } from './types';
import { IssueList, VALIDATION_CODES as C } from './validation-issue';

/**
 * Checks what every anvil.dev object shares: apiVersion, kind and metadata (a name that is a
 * DNS-1123 subdomain, as the API server requires of custom resources). With `expected`, the
 * kind must be that one; otherwise any of the four kinds.
 */
export function checkHeader(
  issues: IssueList,
  obj: Record<string, unknown>,
  expected?: Kind,
): void {
  if (obj['apiVersion'] !== API_VERSION) {
    issues.add('apiVersion', C.invalidApiVersion, `must be "${API_VERSION}"`);
  }
  const kinds: readonly string[] = expected ? [expected] : KINDS;
  if (typeof obj['kind'] !== 'string' || !kinds.includes(obj['kind'])) {
    issues.add(
      'kind',
      C.unknownKind,
      `must be one of: ${kinds.map((k) => JSON.stringify(k)).join(', ')}`,
    );
  }
  const metadata = checkObject(issues, obj, 'metadata', '', true);
  if (!metadata) return;
  checkRequiredString(issues, metadata, 'name', 'metadata', 253, 'dnsSubdomain');
  checkString(issues, metadata, 'namespace', 'metadata', { maxLength: 63, shape: 'dnsLabel' });
}

import { isDnsLabel, isDnsSubdomain } from './patterns';
import { isRecord } from './read';
import { parseRange, parseVersion, RANGE_MESSAGE, VERSION_MESSAGE } from './semver-rules';
import { childPath, IssueList, VALIDATION_CODES as C } from './validation-issue';

/**
 * Field checks shared by the per-kind validators. Each reads `parent[key]`, reports at
 * `path.key` and returns the value when its type is right (so callers can go deeper).
 */

type Parent = Record<string, unknown>;

/** Rules on a string field. `shape` adds a name or SemVer rule on top of the length rules. */
export interface StringRules {
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  shape?: 'dnsLabel' | 'dnsSubdomain' | 'semver' | 'semverRange';
}

const SHAPE_MESSAGES = {
  dnsLabel:
    "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
  dnsSubdomain:
    "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit",
  semver: VERSION_MESSAGE,
  semverRange: RANGE_MESSAGE,
} as const;

function shapeOk(shape: NonNullable<StringRules['shape']>, value: string): boolean {
  switch (shape) {
    case 'dnsLabel':
      return isDnsLabel(value);
    case 'dnsSubdomain':
      return isDnsSubdomain(value);
    case 'semver':
      return parseVersion(value) !== null;
    case 'semverRange':
      return parseRange(value) !== null;
  }
}

const SHAPE_CODES = {
  dnsLabel: C.invalidName,
  dnsSubdomain: C.invalidName,
  semver: C.invalidVersion,
  semverRange: C.invalidVersionConstraint,
} as const;

/** Reports a missing required field; true when the field is present (not undefined/null). */
function present(
  issues: IssueList,
  parent: Parent,
  key: string,
  path: string,
  required?: boolean,
): boolean {
  const value = parent[key];
  if (value !== undefined && value !== null) return true;
  if (required) issues.add(childPath(path, key), C.required, 'is required');
  return false;
}

/** A string field with length and shape rules. */
export function checkString(
  issues: IssueList,
  parent: Parent,
  key: string,
  path: string,
  rules: StringRules,
): string | undefined {
  if (!present(issues, parent, key, path, rules.required)) return undefined;
  const value = parent[key];
  const at = childPath(path, key);
  if (typeof value !== 'string') {
    issues.add(at, C.wrongType, 'must be a string');
    return undefined;
  }
  if (rules.minLength !== undefined && value.length < rules.minLength) {
    issues.add(
      at,
      rules.minLength === 1 ? C.empty : C.tooShort,
      rules.minLength === 1
        ? 'must not be empty'
        : `must be at least ${rules.minLength} characters`,
    );
  } else if (rules.maxLength !== undefined && value.length > rules.maxLength) {
    issues.add(at, C.tooLong, `must be at most ${rules.maxLength} characters`);
  } else if (rules.shape && !shapeOk(rules.shape, value)) {
    issues.add(at, SHAPE_CODES[rules.shape], SHAPE_MESSAGES[rules.shape]);
  }
  return value;
}

/** A required, non-empty string of at most `maxLength` characters (and of `shape`, if given). */
export function checkRequiredString(
  issues: IssueList,
  parent: Parent,
  key: string,
  path: string,
  maxLength: number,
  shape?: StringRules['shape'],
): string | undefined {
  return checkString(issues, parent, key, path, { required: true, minLength: 1, maxLength, shape });
}

/** An array item that must be an object; reports at `path` when it is not. */
export function checkItemObject(issues: IssueList, item: unknown, path: string): item is Parent {
  if (isRecord(item)) return true;
  issues.add(path, C.notAnObject, 'must be an object');
  return false;
}

/** An integer field within [min, max]. */
export function checkInteger(
  issues: IssueList,
  parent: Parent,
  key: string,
  path: string,
  rules: { required?: boolean; min?: number; max?: number },
): number | undefined {
  if (!present(issues, parent, key, path, rules.required)) return undefined;
  const value = parent[key];
  const at = childPath(path, key);
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    issues.add(at, C.wrongType, 'must be an integer');
    return undefined;
  }
  if (rules.min !== undefined && value < rules.min)
    issues.add(at, C.outOfRange, `must be >= ${rules.min}`);
  else if (rules.max !== undefined && value > rules.max)
    issues.add(at, C.outOfRange, `must be <= ${rules.max}`);
  return value;
}

/** A string field restricted to an enumeration. */
export function checkEnum(
  issues: IssueList,
  parent: Parent,
  key: string,
  path: string,
  values: readonly string[],
  required?: boolean,
): void {
  if (!present(issues, parent, key, path, required)) return;
  const value = parent[key];
  if (typeof value !== 'string' || !values.includes(value)) {
    issues.add(
      childPath(path, key),
      C.notInEnum,
      `must be one of: ${values.map((v) => JSON.stringify(v)).join(', ')}`,
    );
  }
}

/** An object field. */
export function checkObject(
  issues: IssueList,
  parent: Parent,
  key: string,
  path: string,
  required?: boolean,
): Parent | undefined {
  if (!present(issues, parent, key, path, required)) return undefined;
  const value = parent[key];
  if (isRecord(value)) return value;
  issues.add(childPath(path, key), C.notAnObject, 'must be an object');
  return undefined;
}

/** An array field with item-count limits. */
export function checkArray(
  issues: IssueList,
  parent: Parent,
  key: string,
  path: string,
  rules: { required?: boolean; minItems?: number; maxItems?: number },
): readonly unknown[] | undefined {
  if (!present(issues, parent, key, path, rules.required)) return undefined;
  const value = parent[key];
  const at = childPath(path, key);
  if (!Array.isArray(value)) {
    issues.add(at, C.wrongType, 'must be an array');
    return undefined;
  }
  if (rules.minItems !== undefined && value.length < rules.minItems) {
    issues.add(at, C.empty, `must have at least ${rules.minItems} item(s)`);
  } else if (rules.maxItems !== undefined && value.length > rules.maxItems) {
    issues.add(at, C.tooManyItems, `must have at most ${rules.maxItems} items`);
  }
  return value;
}

/**
 * Reports every item whose `key` string repeats an earlier item's (the CRDs' CEL uniqueness
 * rules), at `arrayPath[i].key`.
 */
export function checkUnique(
  issues: IssueList,
  items: readonly unknown[],
  key: string,
  arrayPath: string,
  what: string,
): void {
  const first = new Map<string, number>();
  items.forEach((item, index) => {
    const value = isRecord(item) ? item[key] : undefined;
    if (typeof value !== 'string') return;
    const earlier = first.get(value);
    if (earlier === undefined) first.set(value, index);
    else
      issues.add(
        `${arrayPath}[${index}].${key}`,
        C.duplicate,
        `${what} "${value}" appears more than once (also at ${arrayPath}[${earlier}])`,
      );
  });
}

/** Codes of the validator's issues; one per kind of rule, like the CRD schema keywords. */
export const VALIDATION_CODES = {
  /** The value is not an object (the whole input, or a nested object). */
  notAnObject: 'NotAnObject',
  required: 'Required',
  wrongType: 'WrongType',
  invalidApiVersion: 'InvalidApiVersion',
  unknownKind: 'UnknownKind',
  /** Not a DNS-1123 label/subdomain or not the capability-id shape. */
  invalidName: 'InvalidName',
  tooLong: 'TooLong',
  tooShort: 'TooShort',
  invalidVersion: 'InvalidVersion',
  invalidVersionConstraint: 'InvalidVersionConstraint',
  /** Not one of an enumeration (scope, multiplicity, dependencyMode, protocol). */
  notInEnum: 'NotInEnum',
  outOfRange: 'OutOfRange',
  tooManyItems: 'TooManyItems',
  empty: 'Empty',
  duplicate: 'Duplicate',
} as const;
export type ValidationCode = (typeof VALIDATION_CODES)[keyof typeof VALIDATION_CODES];

/** One problem in an object, located by a field path such as `spec.provides[1].version`. */
export interface ValidationIssue {
  /** Dotted path with [index] for array items; '' for the object itself. */
  path: string;
  code: ValidationCode;
  message: string;
}

/** Collects issues in the order the checks run (the order of the fields in the CRD). */
export class IssueList {
  readonly issues: ValidationIssue[] = [];

  add(path: string, code: ValidationCode, message: string): void {
    this.issues.push({ path, code, message });
  }
}

/** `parent.key`, or `key` at the root. */
export const childPath = (parent: string, key: string): string =>
  parent ? `${parent}.${key}` : key;

/** `parent[index]`. */
export const itemPath = (parent: string, index: number): string => `${parent}[${index}]`;

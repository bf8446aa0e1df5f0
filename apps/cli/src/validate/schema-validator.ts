import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { CrdSchemas } from './crd-schemas';

/** A problem found in one object: the field path (e.g. spec.requires[0].scope) and why. */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * Validates objects against the CRDs' structural schemas with ajv. The API server's CEL rules
 * are not evaluated here; the capability model's validator checks the same constraints.
 */
export class SchemaValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(schemas: CrdSchemas) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addFormat('int64', true);
    for (const [kind, schema] of schemas) this.validators.set(kind, ajv.compile(schema));
  }

  get kinds(): string[] {
    return [...this.validators.keys()];
  }

  /** Issues for one object; an unknown apiVersion/kind is itself an issue. */
  validate(object: unknown): FieldIssue[] {
    const record = object as { apiVersion?: unknown; kind?: unknown };
    if (typeof object !== 'object' || object === null || Array.isArray(object)) {
      return [{ path: '', message: 'must be a YAML mapping (a Kubernetes object)' }];
    }
    if (record.apiVersion !== 'anvil.dev/v1alpha1') {
      return [
        {
          path: 'apiVersion',
          message: `must be anvil.dev/v1alpha1 (got ${JSON.stringify(record.apiVersion)})`,
        },
      ];
    }
    const validator =
      typeof record.kind === 'string' ? this.validators.get(record.kind) : undefined;
    if (!validator) {
      return [
        {
          path: 'kind',
          message: `must be one of ${this.kinds.join(', ')} (got ${JSON.stringify(record.kind)})`,
        },
      ];
    }
    return validator(object) ? [] : (validator.errors ?? []).map(toFieldIssue);
  }
}

function toFieldIssue(error: ErrorObject): FieldIssue {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required')
    segments.push((error.params as { missingProperty: string }).missingProperty);
  const path = segments.reduce(
    (acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s),
    '',
  );
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  const message =
    error.keyword === 'required'
      ? 'is required'
      : allowed
        ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
        : (error.message ?? 'is invalid');
  return { path, message };
}

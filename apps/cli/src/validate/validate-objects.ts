import { validateObject } from '@anvil/capability-model';
import { LoadedObject } from '../load/load-objects';
import { describeObject } from '../load/describe';
import { FieldIssue, SchemaValidator } from './schema-validator';

/** An issue located in a file: code, file, line, object ("Kind/name") and field. */
export interface LocatedIssue extends FieldIssue {
  /** The model's validation code, or SchemaViolation for the CRD's structural schema. */
  code: string;
  file: string;
  line: number;
  object: string;
}

/**
 * Checks each object against the CRD schema (ajv) and the capability model's rules (which
 * mirror the CRDs' CEL rules). A field with a schema issue is not reported twice.
 */
export function validateObjects(
  objects: LoadedObject[],
  validator: SchemaValidator,
): LocatedIssue[] {
  return objects.flatMap(({ file, line, object }) => {
    const schemaIssues = validator.validate(object);
    const flagged = new Set(schemaIssues.map((issue) => issue.path));
    const apiVersionOrKindWrong =
      flagged.has('apiVersion') || flagged.has('kind') || flagged.has('');
    const modelIssues = apiVersionOrKindWrong
      ? []
      : validateObject(object).filter(
          (issue) => ![...flagged].some((p) => sameOrParent(p, issue.path)),
        );
    return [
      ...schemaIssues.map(({ path, message }) => ({ code: SCHEMA_VIOLATION, path, message })),
      ...modelIssues.map(({ code, path, message }) => ({ code, path, message })),
    ].map((issue) => ({
      ...issue,
      file,
      line,
      object: describeObject(object),
    }));
  });
}

const SCHEMA_VIOLATION = 'SchemaViolation';

const sameOrParent = (flagged: string, path: string) =>
  path === flagged || path.startsWith(`${flagged}.`) || path.startsWith(`${flagged}[`);

/** "file:line: Kind/name: field: message" */
export function formatIssue(issue: LocatedIssue): string {
  const field = issue.path ? `${issue.path}: ` : '';
  return `${issue.file}:${issue.line}: ${issue.object}: ${field}${issue.message}`;
}

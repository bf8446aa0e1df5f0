import { EXIT } from '../errors';
import { loadObjects } from '../load/load-objects';
import { CliIo } from '../io';
import { loadCrdSchemas } from './crd-schemas';
import { SchemaValidator } from './schema-validator';
import { formatIssue, validateObjects } from './validate-objects';

/** `anvil validate -f PATH...`: prints every issue with file, object and field. */
export function validateCommand(paths: string[], io: CliIo): number {
  const objects = loadObjects(paths);
  const issues = validateObjects(objects, new SchemaValidator(loadCrdSchemas()));
  for (const issue of issues) io.err(formatIssue(issue));
  if (issues.length > 0) {
    const broken = new Set(issues.map((i) => `${i.file}:${i.line}`)).size;
    io.err(`${issues.length} problem(s) in ${broken} of ${objects.length} object(s)`);
    return EXIT.failed;
  }
  io.out(`${objects.length} object(s) valid`);
  return EXIT.ok;
}

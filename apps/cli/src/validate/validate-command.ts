import { EXIT } from '../errors';
import { loadObjects } from '../load/load-objects';
import { CliIo } from '../io';
import { Output, printDocument, runCommand } from '../output';
import { Problem, problemOfIssue } from '../problems';
import { loadCrdSchemas } from './crd-schemas';
import { SchemaValidator } from './schema-validator';
import { formatIssue, validateObjects } from './validate-objects';

export const VALIDATE_OUTPUTS = ['text', 'json', 'yaml'] as const;

/** What `anvil validate -o json|yaml` prints: how many objects were read, and every error. */
export interface ValidationDocument {
  objects: number;
  errors: Problem[];
}

/** `anvil validate -f PATH... [-o text|json|yaml]`: every issue with file, object and field. */
export function validateCommand(paths: string[], output: Output, io: CliIo): number {
  return runCommand(
    output,
    io,
    (errors): ValidationDocument => ({ objects: 0, errors }),
    () => {
      const objects = loadObjects(paths);
      const issues = validateObjects(objects, new SchemaValidator(loadCrdSchemas()));
      if (output !== 'text') {
        const document: ValidationDocument = {
          objects: objects.length,
          errors: issues.map(problemOfIssue),
        };
        printDocument(io, output, document);
        return issues.length > 0 ? EXIT.failed : EXIT.ok;
      }
      for (const issue of issues) io.err(formatIssue(issue));
      if (issues.length > 0) {
        const broken = new Set(issues.map((i) => `${i.file}:${i.line}`)).size;
        io.err(`${issues.length} problem(s) in ${broken} of ${objects.length} object(s)`);
        return EXIT.failed;
      }
      io.out(`${objects.length} object(s) valid`);
      return EXIT.ok;
    },
  );
}

import { CLI_ERROR_CODES as C, CliError, EXIT, UnreadableInputError } from '../errors';
import { CliIo } from '../io';
import { loadObjects } from '../load/load-objects';
import { Output, printDocument, runCommand } from '../output';
import { problemOfIssue } from '../problems';
import { loadCrdSchemas } from '../validate/crd-schemas';
import { SchemaValidator } from '../validate/schema-validator';
import { formatIssue, validateObjects } from '../validate/validate-objects';
import { formatPlan, OUTPUT_FORMATS, OutputFormat, planDocument } from './format-plan';
import { planWorlds } from './plan-worlds';

export interface ResolveOptions {
  world?: string;
  output: string;
}

/**
 * `anvil resolve -f PATH... [--world NAME] [-o table|json|yaml]`: prints the binding plan.
 * Exit 0 when every required requirement resolved, 1 when one did not or input is invalid or
 * empty, 2 when input cannot be read. With -o json|yaml every outcome is one document, errors
 * included.
 */
export function resolveCommand(paths: string[], options: ResolveOptions, io: CliIo): number {
  const format = parseFormat(options.output);
  const output: Output = format === 'table' ? 'text' : format;
  return runCommand(
    output,
    io,
    (errors) => planDocument([], errors),
    () => {
      const objects = loadObjects(paths);
      const issues = validateObjects(objects, new SchemaValidator(loadCrdSchemas()));
      if (issues.length > 0) {
        if (output !== 'text') {
          printDocument(io, output, planDocument([], issues.map(problemOfIssue)));
          return EXIT.failed;
        }
        for (const issue of issues) io.err(formatIssue(issue));
        throw new CliError(
          C.invalidInput,
          `${issues.length} problem(s) in the input; fix them before resolving`,
        );
      }
      const plans = planWorlds(
        objects.map((o) => o.object),
        options.world,
      );
      if (plans.length === 0) {
        throw options.world
          ? new UnreadableInputError(
              C.worldNotFound,
              `no WorldInstance named "${options.world}" in the input`,
            )
          : new UnreadableInputError(C.noWorld, 'no WorldInstance in the input');
      }
      io.out(formatPlan(plans, format));
      const unresolved = plans.some((p) => p.diagnostics.some((d) => d.severity === 'error'));
      return unresolved ? EXIT.failed : EXIT.ok;
    },
  );
}

function parseFormat(value: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new UnreadableInputError(
    C.unknownOutputFormat,
    `-o ${value}: unknown output format; use one of ${OUTPUT_FORMATS.join(', ')}`,
  );
}

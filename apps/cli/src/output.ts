import { stringify } from 'yaml';
import { CliError } from './errors';
import { CliIo } from './io';
import { Problem, problemOfError } from './problems';

/** How a command prints: text for people, or one JSON or YAML document for programs. */
export type Output = 'text' | 'json' | 'yaml';

/** Prints a machine-readable document as JSON or YAML. */
export function printDocument(io: CliIo, output: Exclude<Output, 'text'>, document: object): void {
  io.out(output === 'json' ? JSON.stringify(document, null, 2) : stringify(document).trimEnd());
}

/**
 * Runs a command; with JSON or YAML output a CliError (unreadable or empty input, ...) is
 * printed as `errorDocument([problem])` on stdout instead of text, with the same exit code.
 */
export function runCommand(
  output: Output,
  io: CliIo,
  errorDocument: (errors: Problem[]) => object,
  body: () => number,
): number {
  try {
    return body();
  } catch (error) {
    if (output === 'text' || !(error instanceof CliError)) throw error;
    printDocument(io, output, errorDocument([problemOfError(error)]));
    return error.exitCode;
  }
}

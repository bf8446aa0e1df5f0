import { Command, CommanderError } from 'commander';
import { CLI_ERROR_CODES as C, CliError, EXIT, UnreadableInputError } from './errors';
import { CliIo } from './io';
import { resolveCommand } from './resolve/resolve-command';
import { Output } from './output';
import { VALIDATE_OUTPUTS, validateCommand } from './validate/validate-command';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Runs the CLI with argv (without node and script) and returns the exit code; never throws on user error. */
export function run(argv: string[], io: CliIo): number {
  let exitCode: number = EXIT.ok;
  const program = new Command('anvil')
    .description('Validate Anvil manifests and preview capability bindings, offline.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError(false);
  program
    .command('validate')
    .description('check YAML files or folders against the anvil.dev CRD schemas and rules')
    .requiredOption('-f, --filename <path>', 'file or folder (repeatable)', collect, [])
    .option('-o, --output <format>', 'text, json or yaml', 'text')
    .action((options: { filename: string[]; output: string }) => {
      exitCode = validateCommand(options.filename, validateOutput(options.output), io);
    });
  program
    .command('resolve')
    .description('print the CapabilityBindings the resolver would write for each world')
    .requiredOption('-f, --filename <path>', 'file or folder (repeatable)', collect, [])
    .option('--world <name>', 'only this WorldInstance')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .action((options: { filename: string[]; world?: string; output: string }) => {
      exitCode = resolveCommand(options.filename, options, io);
    });
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    return handleError(error, io);
  }
  return exitCode;
}

function validateOutput(value: string): Output {
  if ((VALIDATE_OUTPUTS as readonly string[]).includes(value)) return value as Output;
  throw new UnreadableInputError(
    C.unknownOutputFormat,
    `-o ${value}: unknown output format; use one of ${VALIDATE_OUTPUTS.join(', ')}`,
  );
}

function handleError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Help and version are exit 0; anything else is a usage error (unreadable command line).
    return error.exitCode === 0 ? EXIT.ok : EXIT.unreadable;
  }
  if (error instanceof CliError) {
    io.err(`anvil: ${error.code}: ${error.message}`);
    return error.exitCode;
  }
  throw error;
}

/** Exit codes of the `anvil` CLI. */
export const EXIT = {
  ok: 0,
  /** Input was read but is invalid or empty, or a required capability is unresolved. */
  failed: 1,
  /** Input could not be read or parsed (missing file, YAML syntax, bad flags). */
  unreadable: 2,
} as const;

/** The code of every CLI error, printed as `anvil: <Code>: <message>` and in `-o json` output. */
export const CLI_ERROR_CODES = {
  noInput: 'NoInput',
  pathNotFound: 'PathNotFound',
  unreadableFile: 'UnreadableFile',
  invalidYaml: 'InvalidYaml',
  emptyInput: 'EmptyInput',
  invalidInput: 'InvalidInput',
  noWorld: 'NoWorld',
  worldNotFound: 'WorldNotFound',
  unknownOutputFormat: 'UnknownOutputFormat',
  crdsNotFound: 'CrdsNotFound',
} as const;
export type CliErrorCode = (typeof CLI_ERROR_CODES)[keyof typeof CLI_ERROR_CODES];

/** Where in the input an error is, when it is in one file. */
export interface ErrorPlace {
  file?: string;
  /** 1-based. */
  line?: number;
}

/** A user error: printed as one coded line (no stack trace) and mapped to an exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly exitCode: number = EXIT.failed,
    readonly place: ErrorPlace = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A file or YAML document that could not be read; exit code 2. */
export class UnreadableInputError extends CliError {
  override name = 'UnreadableInputError';
  constructor(
    code: CliErrorCode,
    message: string,
    place: ErrorPlace = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, EXIT.unreadable, place, options);
  }
}

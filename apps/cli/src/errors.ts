/** Exit codes of the `anvil` CLI. */
export const EXIT = {
  ok: 0,
  /** Input was read but is invalid, or a required capability is unresolved. */
  failed: 1,
  /** Input could not be read or parsed (missing file, YAML syntax, bad flags). */
  unreadable: 2,
} as const;

/** A user error: printed as one line (no stack trace) and mapped to an exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A file or YAML document that could not be read; exit code 2. */
export class UnreadableInputError extends CliError {
  override name = 'UnreadableInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.unreadable, options);
  }
}

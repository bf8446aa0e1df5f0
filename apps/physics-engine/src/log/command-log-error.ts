/** Why a world's command log cannot be replayed as given (docs/engine-contract.md, "The command log"). */
export type CommandLogErrorCode =
  /** An entry is missing: the seq after the checkpoint's (or the previous entry's) is not there. */
  | 'LOG_GAP'
  /** Two different entries of one epoch claim the same seq. */
  | 'LOG_CONFLICT'
  /** An entry's apply tick is not after the previous entry's (or is inside the checkpoint). */
  | 'LOG_TICK_ORDER'
  /** The world refuses an intent of the log: the log does not belong to this state. */
  | 'LOG_INTENT_REFUSED'
  /** A record is not a command-log entry of this world. */
  | 'LOG_MALFORMED';

/** A command log that cannot be replayed; `code` says why, `seq` names the entry when known. */
export class CommandLogError extends Error {
  override readonly name = 'CommandLogError';

  constructor(
    readonly code: CommandLogErrorCode,
    message: string,
    readonly seq?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

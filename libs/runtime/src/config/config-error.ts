/** The code every configuration error carries (one per process: the config is read once). */
export const CONFIG_INVALID = 'CONFIG_INVALID';

/** A config that failed validation; the message names the app and every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = CONFIG_INVALID;

  /** `issues` are `VARIABLE: problem` lines, in the order they were found. */
  constructor(
    readonly app: string,
    readonly issues: readonly string[],
  ) {
    super(`invalid ${app} config: ${issues.join('; ')}`);
  }
}

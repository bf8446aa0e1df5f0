/** Limits every engine enforces at the contract level (docs/engine-contract.md "Limits"). */
export const ContractLimits = {
  /** Default `grpc.max_receive_message_length` (bytes); a larger request is RESOURCE_EXHAUSTED. */
  maxMessageBytes: 16 * 1024 * 1024,
  /** World, player and body ids: 1..64 characters of [A-Za-z0-9_.:-]. */
  maxIdLength: 64,
  /** A ModuleCommand's `type`: 1..128 characters. */
  maxModuleTypeLength: 128,
  /** A ModuleCommand's payload (bytes). */
  maxModulePayloadBytes: 64 * 1024,
  /** Most steps a single Tick call may run. */
  maxStepsPerTick: 100_000,
  /** Most bindings an InitRequest may carry. */
  maxWorldBindings: 1_000,
  /** Most commands one StreamCommands message may carry; the rest are RESOURCE_EXHAUSTED. */
  maxCommandsPerBatch: 1_024,
  /** Most unanswered commands on one StreamCommands stream; more are RESOURCE_EXHAUSTED. */
  maxUnansweredCommands: 16_384,
  /** A command's idempotency key: 0..128 characters of [A-Za-z0-9._:-] (empty: none). */
  maxIdempotencyKeyLength: 128,
} as const;

/** The pattern every id must match. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The pattern a non-empty idempotency key must match. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

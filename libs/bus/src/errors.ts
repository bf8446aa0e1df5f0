/** Thrown when an event (inbound JSON or an event about to be published) is not a valid Anvil CloudEvent. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';

  constructor(
    message: string,
    /** The attribute that failed validation (`tick`, `data.bodies[2].x`, ...), when one did. */
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Thrown by `publish` or `subscribe` after the bus was closed. */
export class BusClosedError extends Error {
  override readonly name = 'BusClosedError';

  constructor(operation: string) {
    super(`The bus is closed: cannot ${operation}.`);
  }
}

/** Thrown for an invalid bus configuration or invalid arguments (empty topic, key or group). */
export class InvalidBusArgumentError extends Error {
  override readonly name = 'InvalidBusArgumentError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Thrown when the bus gave up waiting for the broker (e.g. a consumer that never joined its group). */
export class BusTimeoutError extends Error {
  override readonly name = 'BusTimeoutError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

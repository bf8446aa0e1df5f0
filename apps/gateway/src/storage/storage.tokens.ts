/** Injection token of the gateway's Storage (`@anvil/storage`), opened by bootstrap. */
export const STORAGE = Symbol('STORAGE');
/** Injection token of the EventBus, created by bootstrap or shared in embedded mode. */
export const EVENT_BUS = Symbol('EVENT_BUS');
/** Injection token of the monotonic clock (ms) used for rate limits. */
export const CLOCK = Symbol('CLOCK');
/** Injection token of the gateway's pino logger. */
export const LOGGER = Symbol('LOGGER');

/** Label naming the world a CapabilityBinding belongs to. */
export const WORLD_LABEL = 'anvil.dev/world';
/** Standard label naming the tool that manages an object. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Value of MANAGED_BY_LABEL on the bindings this controller writes. */
export const MANAGED_BY_VALUE = 'anvil-resolver';
/** Server-side apply field manager of every write. */
export const FIELD_MANAGER = 'anvil-resolver';
/** `source.component` / reporting controller of the Events this controller emits. */
export const EVENT_SOURCE = 'anvil-resolver';

export * from './types';
export type { WorldPlacement } from './placement';
export { resolve, isResolved } from './resolve';
export { resolveWorld } from './resolve-world';
export { bindingName, type BindingNameParts } from './binding-name';
export { fnv1a32, fnv1a32Hex } from './fnv1a';
export {
  validateObject,
  validateManifest,
  validateGameDefinition,
  validateWorldInstance,
  validateCapabilityBinding,
  PROTOCOLS,
} from './validate';
export { VALIDATION_CODES, type ValidationCode, type ValidationIssue } from './validation-issue';
export { MAX_REPORTED_CYCLES } from './cycles';
export { MAX_CANDIDATES } from './diagnostics';
export {
  worldIdOf,
  endpointAddress,
  bindingAddresses,
  WORLD_ID_PATTERN,
  type WorldBindingAddress,
} from './world-wiring';
export { ENTRY_CAPABILITY, GATEWAY_CONSUMER, entryBinding } from './entry-binding';

export { CONDITION, REASON, EVENT_REASON, EVENT_TYPE, type EventType } from './reasons';
export {
  computeWorldStatus,
  sameStatus,
  findCondition,
  timestamp,
  MAX_STATUS_DIAGNOSTICS,
  type ApplyOutcome,
} from './world-status';
export {
  worldRecord,
  worldIdOfKey,
  staleRecords,
  type WorldRecord,
  type RecordedBinding,
} from './world-record';
export { bindingSpecs, InconsistentResolutionError, type BindingSpecOf } from './binding-specs';
export { semanticEqual } from './semantic-equal';
export { anyOrphaned, placementOf, samePlacement, type LeaseView } from './placement';

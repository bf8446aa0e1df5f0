// @anvil/ownership: world ownership by fenced leases, shared by every engine that owns worlds
// (docs/decisions.md, "World ownership"): acquire/renew/lose, and failover without a
// coordinator (each replica takes its share of the orphaned worlds).
export { PHYSICS_ROLE, gameRole } from './roles';
export {
  holderOf,
  ownershipEnv,
  toOwnershipConfig,
  type OwnershipConfig,
} from './ownership-config';
export { safetyMargin, validUntil } from './lease-validity';
export { WorldOwnership, type HeldLease, type OwnershipOptions } from './world-ownership';
export { planTakeover, reads, type OrphanWorld, type ReplicaLoad } from './takeover-plan';
export { Placement, placeNewWorld } from './placement';
export {
  TAKEOVER_BATCH,
  TAKEOVER_CONCURRENCY,
  TakeoverLoop,
  type Capacity,
  type TakeoverOptions,
} from './takeover-loop';
export {
  replicaLeases,
  replicaTakeover,
  waitForTaker,
  type OwnershipLog,
  type TakerOf,
} from './replica-ownership';
export { awaitTaker, type TakerWait, type TakerWaitOptions } from './taker-wait';
export { REPLICA_WARM_CONNECTIONS, warmReplica } from './warm-replica';

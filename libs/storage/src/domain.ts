// Plain domain types returned by the repositories: no Prisma types leak out of this library.

/** A world instance as the control plane last reported it. */
export interface World {
  /** Stable id chosen by the caller (e.g. the WorldInstance uid); the bus keys events by it. */
  id: string;
  namespace: string;
  name: string;
  /** The GameDefinition the world runs. */
  game: string;
  region: string;
  /** Number of shards, at least 1; checkpoints exist per shard `0 .. shards-1`. */
  shards: number;
  /** The WorldInstance phase (Pending, Resolved, Running, ...). */
  phase: string;
  /** The world's CapabilityBindings, as the control plane last resolved them. */
  bindings: WorldBinding[];
  createdAt: Date;
  updatedAt: Date;
}

/** One CapabilityBinding of a world: which module's requirement is served by whom, where. */
export interface WorldBinding {
  capabilityId: string;
  /** The module that requires the capability. */
  consumer: string;
  /** The module that provides it. */
  provider: string;
  /** Where the provider listens, `host:port`. */
  address: string;
  /** The shard of a world-shard binding, null otherwise. */
  shard: number | null;
}

/**
 * What {@link World} the caller provides; timestamps are set by storage. Without `bindings` an
 * update keeps the stored ones (a new world starts with none).
 */
export type WorldInput = Omit<World, 'createdAt' | 'updatedAt' | 'bindings'> & {
  bindings?: WorldBinding[];
};

/** A snapshot of one shard of a world at a tick. */
export interface Checkpoint {
  worldId: string;
  shard: number;
  /** Simulation tick, a non-negative safe integer. */
  tick: number;
  /** The engine's hash of `state`, compared on restore. */
  stateHash: string;
  /** The engine's opaque snapshot bytes. */
  state: Uint8Array;
  /** The seq of the last command-log entry the state includes (0: none; docs/storage.md). */
  logSeq: number;
  /** The epoch of the lease its writer held (0: written without a lease). */
  epoch: number;
  /**
   * When its writer appended the log entry `logSeq` (the writer's clock, which stamps its log
   * records); null when not known. A restore reads the log from about then.
   */
  logAppendedAt: Date | null;
  createdAt: Date;
}

/**
 * What the caller provides to save a {@link Checkpoint} (`logSeq` defaults to 0). With `lease`,
 * the save is fenced: it is refused (FencedError) unless the world's lease of that role has
 * exactly that epoch when the row is written.
 */
export type CheckpointInput = Omit<
  Checkpoint,
  'createdAt' | 'logSeq' | 'epoch' | 'logAppendedAt'
> & {
  logSeq?: number;
  logAppendedAt?: Date;
  lease?: { role: string; epoch: number };
};

/** A {@link Checkpoint} without its bytes, for listings. */
export type CheckpointSummary = Omit<Checkpoint, 'state'>;

/**
 * Ownership of a world by one replica for one role (docs/decisions.md, "World ownership"): valid
 * until `expiresAt` by the database's clock; `epoch` grows by one at every acquisition.
 */
export interface WorldLease {
  worldId: string;
  role: string;
  holder: string;
  /** The holder's own address (host:port). */
  address: string;
  epoch: number;
  acquiredAt: Date;
  expiresAt: Date;
  /** True when `expiresAt` had passed by the database's clock when this was read. */
  expired: boolean;
  /** Given up on purpose (the world was closed): an expired, released lease is not an orphan. */
  released: boolean;
  /** What a replica taking the world over needs (the engine's JSON object), recorded at acquisition. */
  spec: Record<string, unknown>;
  /** The newest state format its holders wrote: only a replica that reads it may take the world. */
  stateFormat: number;
  /** Where a holder stopped when it last handed the world over (LeaseRepository.release), else null. */
  handover: LeaseHandover | null;
}

/**
 * What a holder that stopped a world on purpose recorded with its release: the epoch it held and
 * the engine's own record of where it stopped (e.g. its last checkpoint's tick and log seq). The
 * holder at `epoch + 1` knows the world was left exactly there.
 */
export interface LeaseHandover {
  epoch: number;
  state: Record<string, unknown>;
  /** The replica the holder chose to take the world, when it named one. */
  to?: string;
}

/** What a replica asks for when it acquires a lease. */
export interface AcquireLeaseInput {
  worldId: string;
  role: string;
  holder: string;
  address: string;
  /** How long the lease lasts from the database's now, in ms. */
  ttlMs: number;
  /** The world's spec (a JSON object, at most 64 KiB); absent: the recorded one is kept. */
  spec?: Record<string, unknown>;
  /** The state format the holder writes (default 1). */
  stateFormat?: number;
}

/**
 * A game module's rules state for one world, as its owner last saved it: what the replica taking
 * the world over restores. One per (world, role); `role` is the module's lease role.
 */
export interface GameState {
  worldId: string;
  role: string;
  /** The lease epoch of the save that wrote it. */
  epoch: number;
  /** The game's opaque, versioned bytes (at most 1 MiB). */
  state: Uint8Array;
  /** SHA-256 of `state`, 64 lower-case hex digits. */
  stateHash: string;
  /** 1 after the first save of the (world, role), one more after every save since. */
  version: number;
  updatedAt: Date;
}

/**
 * What a lease holder provides to save a {@link GameState}. Fenced: refused (FencedError) unless
 * the world's lease of `role` is `holder`'s at exactly `epoch` when the row is written.
 */
export type GameStateInput = Pick<
  GameState,
  'worldId' | 'role' | 'epoch' | 'state' | 'stateHash'
> & {
  /** The replica saving it, which must hold the lease (its holder id, e.g. a pod name). */
  holder: string;
};

/** An engine replica's report of itself (docs/decisions.md, "World ownership"). */
export interface EngineReplica {
  role: string;
  replicaId: string;
  address: string;
  worlds: number;
  bodies: number;
  maxWorlds: number;
  maxBodies: number;
  /** The newest state format it reads (it reads every older one, and writes this one). */
  stateFormat: number;
  seenAt: Date;
  expiresAt: Date;
}

/** What a replica reports at each heartbeat; it counts as live for `ttlMs`. */
export type ReplicaHeartbeat = Omit<EngineReplica, 'seenAt' | 'expiresAt' | 'stateFormat'> & {
  ttlMs: number;
  /** Default 1. */
  stateFormat?: number;
};

/** One connection of a player to a world through a gateway instance. */
export interface PlayerSession {
  /** UUID assigned when the session opens. */
  id: string;
  playerId: string;
  worldId: string;
  /** The gateway instance (pod name) holding the socket. */
  gateway: string;
  connectedAt: Date;
  /** Null while the session is open. */
  disconnectedAt: Date | null;
  /** Highest client sequence number acknowledged so far (0 before the first command). */
  lastSeq: number;
}

/** What the caller provides to open a {@link PlayerSession}. */
export type OpenSessionInput = Pick<PlayerSession, 'playerId' | 'worldId' | 'gateway'>;

/** Who did what, when, to which world, under which trace. */
export interface AuditEntry {
  /** Monotonic id (a decimal string: it is a 64-bit counter). */
  id: string;
  at: Date;
  actor: string;
  action: string;
  /** The world concerned, or null for platform-wide actions. Kept after the world is deleted. */
  worldId: string | null;
  /** The W3C trace id (or any correlation id) of the request that caused the action. */
  traceId: string;
  /** Free-form JSON object (at most 64 KiB serialised). */
  details: Record<string, unknown>;
}

/** What the caller provides to record an {@link AuditEntry}. */
export interface AuditInput {
  actor: string;
  action: string;
  worldId?: string | null;
  traceId: string;
  details?: Record<string, unknown>;
}

/** Paging for list operations: at most `limit` rows (1..1000, default 100). */
export interface ListOptions {
  limit?: number;
}

/** The totals the analytics module keeps per world (docs/analytics.md), one counter each. */
export const ANALYTICS_COUNTERS = [
  'events',
  'malformed',
  'joins',
  'leaves',
  'repeatedJoins',
  'unmatchedLeaves',
  'sessions',
  'commandEntries',
  'intents',
  'epochMarkers',
] as const;

/** One of the {@link ANALYTICS_COUNTERS}. */
export type AnalyticsCounter = (typeof ANALYTICS_COUNTERS)[number];

/** Which event `analytics.apply` is applying: its world, its id and the player it is about. */
export interface AnalyticsEventKey {
  worldId: string;
  /** The event's id: an event is applied to its world at most once. */
  eventId: string;
  /** The player of a join or leave, whose presence the decision needs. */
  playerId?: string;
}

/** What a world's figures say before an event is applied: what the fold of the next event needs. */
export interface AnalyticsWorldState {
  /** Players present (joined and not left). */
  playersNow: number;
  /** When the key's player joined, if present now; null when absent (or no player given). */
  joinedAt: Date | null;
}

/** The change one event makes to its world's figures; plain data computed by a pure function. */
export interface AnalyticsDelta {
  /** The event's time (null for a record without one): first/last event time of the world. */
  at: Date | null;
  /** Added to the world's totals (non-negative). */
  counts: Partial<Record<AnalyticsCounter, number>>;
  /** Players present after the event, when it changed. */
  playersNow?: number;
  /** The key's player is now present since `at`, or no longer present. */
  presence?: 'joined' | 'left';
  /** Added to the 10-second bucket starting at `start`: peak is a maximum, last replaces. */
  playerBucket?: { start: Date; joins: number; leaves: number; peak: number; last: number };
  /** The key's player's session ended (kept with the event id as its key); length ≥ 0. */
  session?: { joinedAt: Date; leftAt: Date; lengthMs: number };
  /** Added to the second starting at `second`. */
  commandSecond?: { second: Date; entries: number; intents: number };
}

/** A world's analytics totals. */
export type AnalyticsTotals = Record<AnalyticsCounter, number> & {
  worldId: string;
  playersNow: number;
  firstEventAt: Date | null;
  lastEventAt: Date | null;
};

/** A time range `[from, to)` cut into buckets of `bucketSeconds` (aligned to the Unix epoch). */
export interface AnalyticsRange {
  from: Date;
  to: Date;
  bucketSeconds: number;
}

/** Players of a world in one bucket: joins, leaves, most present at once, present at its end. */
export interface PlayerBucket {
  start: Date;
  joins: number;
  leaves: number;
  peak: number;
  last: number;
}

/** Command-log entries and their intents in one bucket. */
export interface CommandBucket {
  start: Date;
  entries: number;
  intents: number;
}

/** Finished sessions of a world; lengths in ms, null when there are none. */
export interface SessionStats {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

/** Event names of the client protocol (docs/client-protocol.md). */
export const ClientEvent = {
  /** Client -> gateway: join a world; ack carries the snapshot. */
  Join: 'world:join',
  /** Client -> gateway: leave a world. */
  Leave: 'world:leave',
  /** Client -> gateway: ask for a fresh snapshot; gateway -> client: a pushed resync snapshot. */
  Snapshot: 'world:snapshot',
  /** Client -> gateway: a player command with a sequence number. */
  Command: 'cmd',
  /** Gateway -> client: one tick's (or several coalesced ticks') changed bodies. */
  Delta: 'delta',
  /** Gateway -> client: a game event (player joined, left, interacted). */
  WorldEvent: 'world:event',
  /** Gateway -> client: the game module's own state (who is "it", scores), whole, on change. */
  GameState: 'world:state',
  /** Gateway -> client: an error that has no ack to go to (or that closes the connection). */
  Exception: 'exception',
} as const;

/** Event names of the `/admin` namespace. */
export const AdminEvent = {
  Worlds: 'admin:worlds',
  Players: 'admin:players',
  Kick: 'admin:kick',
} as const;

/** The admin namespace's name. */
export const ADMIN_NAMESPACE = '/admin';

/** Events a client may send on the main namespace. */
export const INBOUND_EVENTS: ReadonlySet<string> = new Set([
  ClientEvent.Join,
  ClientEvent.Leave,
  ClientEvent.Snapshot,
  ClientEvent.Command,
]);
/** Events an administrator may send on `/admin`. */
export const ADMIN_INBOUND_EVENTS: ReadonlySet<string> = new Set(Object.values(AdminEvent));

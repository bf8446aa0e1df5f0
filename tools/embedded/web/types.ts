// The shapes the live view reads: the host's API, the gateway's messages, and the two scripts
// the page loads before it (socket.io's browser build, the host's /contract.js).

/** The engine contract's player-body constants, served by the host as /contract.js. */
declare const anvilContract: { PLAYER_BODY_PREFIX: string; MAX_PLAYER_ID_LENGTH: number };

/** The part of socket.io-client's browser build (/socket.io.min.js) the page uses. */
interface Ack {
  ok: boolean;
  seq?: number;
  tick?: number;
  code?: string;
  message?: string;
  engineCode?: string;
}
interface ViewSocket {
  connected: boolean;
  recovered: boolean;
  on(event: string, listener: (...args: never[]) => void): ViewSocket;
  timeout(ms: number): { emitWithAck<T = Ack>(event: string, payload: unknown): Promise<T> };
  close(): void;
}
declare function io(
  url: string,
  options: { auth: { token: string }; transports: string[] },
): ViewSocket;

interface ViewBody {
  id: string;
  shape: string;
  kind: string;
  hw: number;
  hh: number;
  x: number;
  y: number;
  angle?: number;
  vx: number;
  vy: number;
  at: number;
  guessed?: boolean;
}
interface Snapshot {
  tick: number;
  bodies: ViewBody[];
}
interface Delta {
  worldId: string;
  tick: number;
  bodies: Array<Partial<ViewBody> & { id: string }>;
  removed?: string[];
}
interface WorldInfo {
  id: string;
  arena: { widthMm: number; heightMm: number } | null;
  tickHz: number | null;
  spec: { gameRef: string; region: string; shards: number };
  status: {
    phase: string;
    conditions: Array<{ type: string; status: string; reason: string; message: string }>;
    diagnostics: Array<{ severity: string; message: string }>;
    /** The physics replica holding the world's lease, as the controller's status.placement. */
    placement: Placement | null;
  };
  engines: Array<{ app: string; address?: string; module: string; version: string; via: string }>;
  bindings: Array<{
    consumer: string;
    capabilityId: string;
    shard: number | null;
    provider: string;
    providerVersion: string;
  }>;
  players: string[];
  /** The analytics module that keeps the world's figures, if the world binds one. */
  analytics: string | null;
}
interface Placement {
  replica: string;
  address: string;
  epoch: number;
  state: 'Running' | 'OwnerLost' | 'Stopped';
}
/** A physics engine replica (GET /api/worlds `replicas`). */
interface ReplicaInfo {
  id: string;
  module: string;
  state: 'starting' | 'running' | 'stopping' | 'stopped';
  address: string | null;
  worlds: string[];
}
interface WorldsAnswer {
  gateway: { url: string } | null;
  problems: unknown[];
  replicas: ReplicaInfo[];
  worlds: WorldInfo[];
}
interface GameEvent {
  worldId: string;
  tick: number;
  type: string;
  playerId: string;
  targetId?: string;
  reason?: string;
}
interface GameStateMessage {
  worldId: string;
  module: string;
  tick: number;
  state: Record<string, unknown>;
}

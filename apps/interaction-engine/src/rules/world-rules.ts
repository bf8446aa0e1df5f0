import {
  AlreadyExistsError,
  CapacityError,
  EntityNotFoundError,
  InvalidCommandError,
  MAX_PLAYER_ID_LENGTH,
  PlayerRateLimitedError,
  PreconditionError,
  playerBodyId,
  type PhysicsIntent,
  type PlayerCommand,
  type WorldSettings,
} from '@anvil/engine-contract';
import type { RulesConfig } from '../config/interaction-config';

/** A player in a world. */
export interface PlayerRecord {
  playerId: string;
  bodyId: string;
}

/** A game event a command produces once the physics engine accepted its intent. */
export type RulesEvent =
  | { kind: 'joined'; playerId: string; bodyId: string }
  | { kind: 'left'; playerId: string; bodyId: string }
  | { kind: 'interacted'; playerId: string; targetId: string };

/** What a validated command turns into; nothing changes until `commit`. */
export interface CommandPlan {
  /** The physics intent to send, if the command moves anything. */
  intent?: PhysicsIntent;
  /** The body (or target) the command addresses. */
  entityId: string;
  event?: RulesEvent;
  /**
   * Applies the plan to the rules state. A batch commits each plan before planning the next, so
   * a join and a move of the same player can travel together.
   */
  commit(): void;
  /** Undoes `commit` when the physics engine did not take the intent (joins and leaves). */
  revert?(): void;
  /**
   * A join whose body the physics engine already has: the player takes that body back (this
   * engine restarted and lost its rules state, the physics engine kept the world).
   */
  adoptsExistingBody?: boolean;
}

/**
 * One world's game rules, free of Nest and gRPC: validates player commands against the world
 * (known players, speed cap, jump cooldown, per-player rate limit, world bounds) and turns them
 * into physics intents. Time comes from the caller (an injected clock).
 */
export class WorldRules {
  private readonly players = new Map<string, PlayerRecord>();
  private readonly lastJumpAt = new Map<string, number>();
  private readonly rate = new Map<string, { windowStart: number; count: number }>();
  private joins = 0;

  constructor(
    readonly settings: WorldSettings,
    private readonly rules: RulesConfig,
    players: PlayerRecord[] = [],
  ) {
    for (const p of players) this.players.set(p.playerId, p);
    this.joins = players.length;
    const minSize = 4 * rules.playerRadiusMm;
    if (settings.widthMm < minSize || settings.heightMm < minSize) {
      throw new InvalidCommandError(
        `world is smaller than ${minSize} mm: too small for players of radius ${rules.playerRadiusMm} mm`,
      );
    }
  }

  /** How many per-player entries (rate windows, jump times) the rules hold: never more than the players. */
  transientEntries(): number {
    return Math.max(this.rate.size, this.lastJumpAt.size);
  }

  /** Players sorted by id. */
  list(): PlayerRecord[] {
    return [...this.players.values()].sort((a, b) => (a.playerId < b.playerId ? -1 : 1));
  }

  /** Validates a command at time `nowMs` and plans its effect; throws an EngineError when refused. */
  plan(command: PlayerCommand, nowMs: number): CommandPlan {
    // Only joined players have rate windows, so commands naming any other id (refused below)
    // cannot grow the map; joins are bounded by the world's player cap instead. A leave is never
    // refused for the rate: a player over it would otherwise keep its body after it left.
    if (command.type !== 'leave' && this.players.has(command.playerId))
      this.checkRate(command.playerId, nowMs);
    switch (command.type) {
      case 'join':
        return this.planJoin(command.playerId);
      case 'leave': {
        const player = this.require(command.playerId);
        return {
          intent: { type: 'removeBody', bodyId: player.bodyId },
          entityId: player.bodyId,
          event: { kind: 'left', ...player },
          commit: () => {
            this.players.delete(player.playerId);
            this.lastJumpAt.delete(player.playerId);
            this.rate.delete(player.playerId);
          },
          revert: () => void this.players.set(player.playerId, player),
        };
      }
      case 'move':
        return this.planMove(command.playerId, command.dx, command.dy);
      case 'jump':
        return this.planJump(command.playerId, nowMs);
      case 'interact': {
        this.require(command.playerId);
        if (command.targetId === command.playerId)
          throw new InvalidCommandError('a player cannot interact with itself');
        const target = this.players.get(command.targetId);
        if (!target) throw new EntityNotFoundError('player', command.targetId);
        const event: RulesEvent = {
          kind: 'interacted',
          playerId: command.playerId,
          targetId: command.targetId,
        };
        return { entityId: target.bodyId, event, commit: () => undefined };
      }
    }
  }

  private planJoin(playerId: string): CommandPlan {
    if (playerId.length > MAX_PLAYER_ID_LENGTH) {
      throw new InvalidCommandError(
        `join.player_id must be at most ${MAX_PLAYER_ID_LENGTH} characters`,
      );
    }
    if (this.players.has(playerId))
      throw new AlreadyExistsError(`player "${playerId}" already joined`);
    if (this.players.size >= this.rules.maxPlayersPerWorld) {
      throw new CapacityError(`world is full: ${this.rules.maxPlayersPerWorld} players`);
    }
    const r = this.rules.playerRadiusMm;
    const slots = Math.max(1, Math.floor(this.settings.widthMm / (3 * r)) - 1);
    // Spawn points spread along the floor, inside the world's bounds.
    const xMm = Math.round(((this.joins % slots) + 1) * (this.settings.widthMm / (slots + 1)));
    const yMm = Math.min(this.settings.heightMm - r, 3 * r);
    const player: PlayerRecord = { playerId, bodyId: playerBodyId(playerId) };
    return {
      intent: {
        type: 'spawnBody',
        body: {
          id: player.bodyId,
          kind: 'dynamic',
          shape: 'ball',
          halfWidthMm: r,
          halfHeightMm: r,
          xMm,
          yMm,
          vxMmS: 0,
          vyMmS: 0,
          lockRotation: true,
          frictionPermille: 0,
        },
      },
      entityId: player.bodyId,
      event: { kind: 'joined', ...player },
      adoptsExistingBody: true,
      commit: () => {
        this.players.set(playerId, player);
        this.joins++;
      },
      revert: () => {
        this.players.delete(playerId);
        this.joins--;
        this.rate.delete(playerId);
        this.lastJumpAt.delete(playerId);
      },
    };
  }

  private planMove(playerId: string, dx: number, dy: number): CommandPlan {
    const player = this.require(playerId);
    const gravity = this.settings.gravityYMmS2 !== 0;
    // In a world with gravity a player walks: only dx is used (jumping is Jump's job).
    const { vxMmS, vyMmS } = capSpeed(
      dx * 1000,
      gravity ? 0 : dy * 1000,
      this.rules.maxPlayerSpeedMmS,
    );
    const intent: PhysicsIntent = gravity
      ? { type: 'setVelocity', bodyId: player.bodyId, vxMmS }
      : { type: 'setVelocity', bodyId: player.bodyId, vxMmS, vyMmS };
    return { intent, entityId: player.bodyId, commit: () => undefined };
  }

  private planJump(playerId: string, nowMs: number): CommandPlan {
    const player = this.require(playerId);
    const last = this.lastJumpAt.get(playerId);
    if (last !== undefined && nowMs - last < this.rules.jumpCooldownMs) {
      throw new PreconditionError(
        `jump is cooling down for another ${Math.ceil(this.rules.jumpCooldownMs - (nowMs - last))} ms`,
      );
    }
    const up = this.settings.gravityYMmS2 <= 0 ? 1 : -1;
    return {
      intent: { type: 'setVelocity', bodyId: player.bodyId, vyMmS: up * this.rules.jumpSpeedMmS },
      entityId: player.bodyId,
      commit: () => void this.lastJumpAt.set(playerId, nowMs),
    };
  }

  private require(playerId: string): PlayerRecord {
    const player = this.players.get(playerId);
    if (!player) throw new EntityNotFoundError('player', playerId);
    return player;
  }

  private checkRate(playerId: string, nowMs: number): void {
    const entry = this.rate.get(playerId);
    if (!entry || nowMs - entry.windowStart >= 1_000) {
      this.rate.set(playerId, { windowStart: nowMs, count: 1 });
      return;
    }
    if (++entry.count > this.rules.maxCommandsPerSecond) {
      throw new PlayerRateLimitedError(
        `player "${playerId}" sent more than ${this.rules.maxCommandsPerSecond} commands in a second`,
      );
    }
  }
}

/**
 * A velocity in whole mm/s no faster than `maxMmS`, in the same direction: input devices
 * overshoot, and the server decides how fast a body may go (a faster move is slowed, not refused).
 */
export function capSpeed(vx: number, vy: number, maxMmS: number): { vxMmS: number; vyMmS: number } {
  const rounded = { vxMmS: Math.round(vx) || 0, vyMmS: Math.round(vy) || 0 };
  if (Math.hypot(rounded.vxMmS, rounded.vyMmS) <= maxMmS) return rounded;
  const scale = maxMmS / Math.hypot(vx, vy);
  // Truncating toward zero keeps the slowed speed at or under the cap.
  return { vxMmS: Math.trunc(vx * scale) || 0, vyMmS: Math.trunc(vy * scale) || 0 };
}

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
import { capSpeed } from './cap-speed';
import type { CommandPlan, PlayerRecord } from './game-rules';

/** How players move in every world of an engine whose players are balls. */
export interface BallPlayersConfig {
  maxPlayersPerWorld: number;
  maxPlayerSpeedMmS: number;
  jumpSpeedMmS: number;
  jumpCooldownMs: number;
  playerRadiusMm: number;
  maxCommandsPerSecond: number;
}

/** A player command that only moves a body: what BallPlayers plans on its own. */
export type MovementCommand = Exclude<PlayerCommand, { type: 'interact' }>;

/**
 * The players of one world as balls on the floor, the part games share: joins (a body per
 * player, spread along the floor), leaves, moves (speed cap) and jumps (cooldown), each
 * player's command rate, and the cap on players. What `interact` means is the game's.
 */
export class BallPlayers {
  private readonly players = new Map<string, PlayerRecord>();
  private readonly lastJumpAt = new Map<string, number>();
  private readonly rate = new Map<string, { windowStart: number; count: number }>();
  private joins = 0;

  constructor(
    readonly settings: WorldSettings,
    readonly config: BallPlayersConfig,
    players: PlayerRecord[] = [],
  ) {
    for (const p of players) this.players.set(p.playerId, p);
    this.joins = players.length;
    const minSize = 4 * config.playerRadiusMm;
    if (settings.widthMm < minSize || settings.heightMm < minSize) {
      throw new InvalidCommandError(
        `world is smaller than ${minSize} mm: too small for players of radius ${config.playerRadiusMm} mm`,
      );
    }
  }

  /** How many per-player entries (rate windows, jump times) are held: never more than the players. */
  transientEntries(): number {
    return Math.max(this.rate.size, this.lastJumpAt.size);
  }

  /** Players sorted by id. */
  list(): PlayerRecord[] {
    return [...this.players.values()].sort((a, b) => (a.playerId < b.playerId ? -1 : 1));
  }

  get size(): number {
    return this.players.size;
  }

  has(playerId: string): boolean {
    return this.players.has(playerId);
  }

  /** The joined player, or NOT_FOUND. */
  require(playerId: string): PlayerRecord {
    const player = this.players.get(playerId);
    if (!player) throw new EntityNotFoundError('player', playerId);
    return player;
  }

  /**
   * Counts a command against its player's rate (RESOURCE_EXHAUSTED past it). Only joined players
   * have rate windows, so commands naming any other id (refused later) cannot grow the map; joins
   * are bounded by the player cap instead. A leave is never refused for the rate: a player over
   * it would otherwise keep its body after it left.
   */
  admit(command: PlayerCommand, nowMs: number): void {
    if (command.type === 'leave' || !this.players.has(command.playerId)) return;
    const entry = this.rate.get(command.playerId);
    if (!entry || nowMs - entry.windowStart >= 1_000) {
      this.rate.set(command.playerId, { windowStart: nowMs, count: 1 });
      return;
    }
    if (++entry.count > this.config.maxCommandsPerSecond) {
      throw new PlayerRateLimitedError(
        `player "${command.playerId}" sent more than ${this.config.maxCommandsPerSecond} commands in a second`,
      );
    }
  }

  /** Plans a join, leave, move or jump (the rate already admitted). */
  plan(command: MovementCommand, nowMs: number): CommandPlan {
    switch (command.type) {
      case 'join':
        return this.planJoin(command.playerId);
      case 'leave':
        return this.planLeave(command.playerId);
      case 'move':
        return this.planMove(command.playerId, command.dx, command.dy);
      case 'jump':
        return this.planJump(command.playerId, nowMs);
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
    if (this.players.size >= this.config.maxPlayersPerWorld) {
      throw new CapacityError(`world is full: ${this.config.maxPlayersPerWorld} players`);
    }
    const r = this.config.playerRadiusMm;
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

  private planLeave(playerId: string): CommandPlan {
    const player = this.require(playerId);
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

  private planMove(playerId: string, dx: number, dy: number): CommandPlan {
    const player = this.require(playerId);
    const gravity = this.settings.gravityYMmS2 !== 0;
    // In a world with gravity a player walks: only dx is used (jumping is Jump's job).
    const { vxMmS, vyMmS } = capSpeed(
      dx * 1000,
      gravity ? 0 : dy * 1000,
      this.config.maxPlayerSpeedMmS,
    );
    const intent: PhysicsIntent = gravity
      ? { type: 'setVelocity', bodyId: player.bodyId, vxMmS }
      : { type: 'setVelocity', bodyId: player.bodyId, vxMmS, vyMmS };
    return { intent, entityId: player.bodyId, commit: () => undefined };
  }

  private planJump(playerId: string, nowMs: number): CommandPlan {
    const player = this.require(playerId);
    const last = this.lastJumpAt.get(playerId);
    if (last !== undefined && nowMs - last < this.config.jumpCooldownMs) {
      throw new PreconditionError(
        `jump is cooling down for another ${Math.ceil(this.config.jumpCooldownMs - (nowMs - last))} ms`,
      );
    }
    const up = this.settings.gravityYMmS2 <= 0 ? 1 : -1;
    return {
      intent: { type: 'setVelocity', bodyId: player.bodyId, vyMmS: up * this.config.jumpSpeedMmS },
      entityId: player.bodyId,
      commit: () => void this.lastJumpAt.set(playerId, nowMs),
    };
  }
}

import {
  InvalidCommandError,
  type PlayerCommand,
  type WorldSettings,
} from '@anvil/engine-contract';
import { BallPlayers, type CommandPlan, type GameRules, type PlayerRecord } from '@anvil/game-host';
import type { RulesConfig } from '../config/interaction-config';
import { encodeRulesState } from './rules-state';

/**
 * One arena world's game rules, free of Nest and gRPC: players are balls that join, leave,
 * move (speed cap) and jump (cooldown), each at a bounded rate (BallPlayers of
 * @anvil/game-host), and interact with another player, which the rules count as an event.
 * Time comes from the caller (an injected clock).
 */
export class WorldRules implements GameRules {
  private readonly players: BallPlayers;

  constructor(
    readonly settings: WorldSettings,
    rules: RulesConfig,
    players: PlayerRecord[] = [],
  ) {
    this.players = new BallPlayers(settings, rules, players);
  }

  /** How many per-player entries (rate windows, jump times) the rules hold: never more than the players. */
  transientEntries(): number {
    return this.players.transientEntries();
  }

  /** Players sorted by id. */
  list(): PlayerRecord[] {
    return this.players.list();
  }

  /** Validates a command at time `nowMs` and plans its effect; throws an EngineError when refused. */
  plan(command: PlayerCommand, nowMs: number): CommandPlan {
    this.players.admit(command, nowMs);
    if (command.type !== 'interact') return this.players.plan(command, nowMs);
    this.players.require(command.playerId);
    if (command.targetId === command.playerId)
      throw new InvalidCommandError('a player cannot interact with itself');
    const target = this.players.require(command.targetId);
    return {
      entityId: target.bodyId,
      event: { kind: 'interacted', playerId: command.playerId, targetId: command.targetId },
      commit: () => undefined,
    };
  }

  encodeState(): Buffer {
    return encodeRulesState(this.settings, this.list());
  }

  /** The arena shows its players nothing beyond their bodies: no game-state events. */
  publicState(): undefined {
    return undefined;
  }
}

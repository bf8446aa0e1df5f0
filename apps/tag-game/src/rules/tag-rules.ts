import {
  InvalidCommandError,
  PreconditionError,
  type PlayerCommand,
  type WorldSettings,
} from '@anvil/engine-contract';
import {
  BallPlayers,
  extendPlan,
  type BodyPositions,
  type CommandPlan,
  type GameRules,
  type PlayerRecord,
} from '@anvil/game-host';
import type { TagRulesConfig } from '../config/tag-config';
import { TAGGED_EVENT_TYPE } from './tagged-event';
import { encodeTagState, type TagState } from './tag-state';

/** Who is "it", the scores and the tag count: what a tag world adds to its players. */
export type TagScore = Pick<TagState, 'it' | 'scores' | 'tags'>;

/** The game state tag worlds show their players (dev.anvil.interaction.game-state.v1). */
export interface TagPublicState extends Record<string, unknown> {
  /** The player who is "it"; absent when nobody plays. */
  it?: string;
  /** Tags each player made, by player id. */
  scores: Record<string, number>;
  /** Tags made in the world. */
  tags: number;
}

/**
 * One tag world's rules, free of Nest and gRPC. Players are balls (join, leave, move, jump:
 * BallPlayers of @anvil/game-host); one of them is "it": the first to join, and when "it"
 * leaves, the player with the lowest id. "it" tags another player by interacting with it
 * within reach (positions from the physics engine), which makes that player "it" and scores
 * the tagger a point; a tagged player may not tag back its tagger for `noTagBackMs`. A pure
 * function of (state, command, positions, time): the same commands give the same state.
 */
export class TagRules implements GameRules {
  private readonly players: BallPlayers;
  private it: string | undefined;
  private readonly scores = new Map<string, number>();
  private tags: number;
  /** The latest tag, for the no-tag-back rule (transient, like jump cooldowns). */
  private lastTag?: { taggerId: string; taggedId: string; atMs: number };

  constructor(
    readonly settings: WorldSettings,
    private readonly config: TagRulesConfig,
    players: PlayerRecord[] = [],
    score: TagScore = { it: null, scores: {}, tags: 0 },
  ) {
    this.players = new BallPlayers(settings, config, players);
    for (const p of players) this.scores.set(p.playerId, score.scores[p.playerId] ?? 0);
    this.it = score.it ?? undefined;
    this.tags = score.tags;
  }

  list(): PlayerRecord[] {
    return this.players.list();
  }

  /** A tag needs the two bodies' positions; nothing else does. */
  needsPositions(command: PlayerCommand): boolean {
    return command.type === 'interact';
  }

  plan(command: PlayerCommand, nowMs: number, positions?: BodyPositions): CommandPlan {
    this.players.admit(command, nowMs);
    switch (command.type) {
      case 'join':
        return this.planJoin(command.playerId, this.players.plan(command, nowMs));
      case 'leave':
        return this.planLeave(command.playerId, this.players.plan(command, nowMs));
      case 'interact':
        return this.planTag(command.playerId, command.targetId, nowMs, positions);
      default:
        return this.players.plan(command, nowMs);
    }
  }

  encodeState(): Buffer {
    const players = this.list();
    return encodeTagState({
      settings: this.settings,
      players,
      it: this.it ?? null,
      scores: Object.fromEntries(players.map((p) => [p.playerId, this.score(p.playerId)])),
      tags: this.tags,
    });
  }

  publicState(): TagPublicState {
    const scores = Object.fromEntries(this.list().map((p) => [p.playerId, this.score(p.playerId)]));
    return this.it === undefined
      ? { scores, tags: this.tags }
      : { it: this.it, scores, tags: this.tags };
  }

  /** The first player to join is "it"; a refused join passes it on again. */
  private planJoin(playerId: string, plan: CommandPlan): CommandPlan {
    return extendPlan(plan, {
      commit: () => {
        this.scores.set(playerId, 0);
        this.it ??= playerId;
      },
      revert: () => {
        this.scores.delete(playerId);
        if (this.it === playerId) this.it = this.lowestPlayer(playerId);
      },
    });
  }

  /** "it" leaving passes it to the lowest player id (nobody when it was the last). */
  private planLeave(playerId: string, plan: CommandPlan): CommandPlan {
    const score = this.score(playerId);
    let passed: { to: string | undefined } | undefined;
    return extendPlan(plan, {
      commit: () => {
        this.scores.delete(playerId);
        if (this.lastTag?.taggerId === playerId || this.lastTag?.taggedId === playerId)
          this.lastTag = undefined;
        if (this.it !== playerId) return;
        this.it = this.lowestPlayer(playerId);
        passed = { to: this.it };
      },
      revert: () => {
        this.scores.set(playerId, score);
        // Taken back only when nobody was tagged since: there is always exactly one "it".
        if (passed && this.it === passed.to) this.it = playerId;
      },
    });
  }

  private planTag(
    taggerId: string,
    taggedId: string,
    nowMs: number,
    positions: BodyPositions | undefined,
  ): CommandPlan {
    const tagger = this.players.require(taggerId);
    if (taggedId === taggerId) throw new InvalidCommandError('a player cannot tag itself');
    const tagged = this.players.require(taggedId);
    if (this.it !== taggerId)
      throw new PreconditionError(`"${taggerId}" is not it: "${this.it}" is`);
    const last = this.lastTag;
    if (last && last.taggedId === taggerId && last.taggerId === taggedId) {
      const wait = this.config.noTagBackMs - (nowMs - last.atMs);
      if (wait > 0)
        throw new PreconditionError(
          `no tag-back: "${taggedId}" tagged "${taggerId}" just now; wait another ${Math.ceil(wait)} ms`,
        );
    }
    const from = positions?.get(tagger.bodyId);
    const to = positions?.get(tagged.bodyId);
    if (!from || !to) {
      throw new PreconditionError(
        `where "${taggerId}" and "${taggedId}" are is not known yet; try again in a tick`,
      );
    }
    const distance = Math.round(Math.hypot(to.xMm - from.xMm, to.yMm - from.yMm));
    if (distance > this.config.reachMm)
      throw new PreconditionError(`too far: ${distance} mm, reach ${this.config.reachMm} mm`);
    const tags = this.tags + 1;
    return {
      entityId: tagged.bodyId,
      event: {
        kind: 'game',
        type: TAGGED_EVENT_TYPE,
        discriminator: String(tags),
        data: { taggerId, taggedId },
      },
      commit: () => {
        this.it = taggedId;
        this.scores.set(taggerId, this.score(taggerId) + 1);
        this.tags = tags;
        this.lastTag = { taggerId, taggedId, atMs: nowMs };
      },
    };
  }

  private score(playerId: string): number {
    return this.scores.get(playerId) ?? 0;
  }

  /** The player with the lowest id other than `except` (players are sorted by id). */
  private lowestPlayer(except: string): string | undefined {
    return this.list().find((p) => p.playerId !== except)?.playerId;
  }
}

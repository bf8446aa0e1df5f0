import type { GameStateDto } from '../protocol/dto/world.dto';

/** The most worlds whose game state a gateway keeps; past it the least recently changed goes. */
export const MAX_GAME_STATES = 10_000;

/**
 * The latest game state of each world, for players who join after it changed. A state is whole,
 * so the latest tick wins; an older one arriving late (another partition's redelivery) is
 * ignored.
 */
export class GameStates {
  private readonly latest = new Map<string, GameStateDto>();

  /** Keeps `state` unless a later one is known; true when it is now the latest. */
  offer(state: GameStateDto): boolean {
    const known = this.latest.get(state.worldId);
    if (known && known.tick > state.tick) return false;
    this.latest.delete(state.worldId);
    this.latest.set(state.worldId, state);
    if (this.latest.size > MAX_GAME_STATES)
      this.latest.delete(this.latest.keys().next().value as string);
    return true;
  }

  get(worldId: string): GameStateDto | undefined {
    return this.latest.get(worldId);
  }
}

// The bots of every world: `sync` starts and stops bots so each listed world has its number
// (`perWorld`, or the world's `anvil.dev/embedded-bots` annotation).
import { startBot, type Bot, type BotStats } from './bot';
import type { Plan } from './plans';

/** The annotation of a WorldInstance that sets its number of bots in embedded mode (0-50). */
export const BOTS_ANNOTATION = 'anvil.dev/embedded-bots';
const MAX_BOTS = 50;

/** A world's bots: its annotation when that is a whole number 0-50, else `perWorld`. */
export function botsOf(plan: Pick<Plan, 'world'>, perWorld: number): number {
  const value = plan.world.metadata.annotations?.[BOTS_ANNOTATION];
  if (value === undefined || !/^\d{1,2}$/.test(value)) return perWorld;
  return Math.min(MAX_BOTS, Number(value));
}

export class Bots {
  private gatewayUrl: string | undefined;
  private readonly byWorld = new Map<string, Bot[]>();

  constructor(
    private readonly secret: string,
    readonly perWorld: number,
  ) {}

  /** Runs bots in exactly the given worlds (through the gateway at `gatewayUrl`). */
  sync(gatewayUrl: string | undefined, worlds: ReadonlyArray<Pick<Plan, 'id' | 'world'>>): void {
    if (gatewayUrl !== this.gatewayUrl) this.closeAll();
    this.gatewayUrl = gatewayUrl;
    const ids = new Set(worlds.map((w) => w.id));
    for (const [worldId, bots] of this.byWorld)
      if (!ids.has(worldId)) {
        for (const bot of bots) bot.close();
        this.byWorld.delete(worldId);
      }
    if (!gatewayUrl) return;
    for (const plan of worlds) {
      if (this.byWorld.has(plan.id)) continue;
      const bots: Bot[] = [];
      for (let n = 1; n <= botsOf(plan, this.perWorld); n++)
        bots.push(startBot(gatewayUrl, this.secret, plan.id, n));
      this.byWorld.set(plan.id, bots);
    }
  }

  /** The bots of a world, for status. */
  list(worldId: string): Array<BotStats & { id: string }> {
    return (this.byWorld.get(worldId) ?? []).map((b) => ({ id: b.id, ...b.stats }));
  }

  closeAll(): void {
    for (const bots of this.byWorld.values()) for (const bot of bots) bot.close();
    this.byWorld.clear();
  }
}

// The bots of every world: `sync` starts and stops bots so each listed world has `perWorld`.
import { startBot, type Bot, type BotStats } from './bot';

export class Bots {
  private gatewayUrl: string | undefined;
  private readonly byWorld = new Map<string, Bot[]>();

  constructor(
    private readonly secret: string,
    readonly perWorld: number,
  ) {}

  /** Runs bots in exactly the given worlds (through the gateway at `gatewayUrl`). */
  sync(gatewayUrl: string | undefined, worldIds: readonly string[]): void {
    if (gatewayUrl !== this.gatewayUrl) this.closeAll();
    this.gatewayUrl = gatewayUrl;
    for (const [worldId, bots] of this.byWorld)
      if (!worldIds.includes(worldId)) {
        for (const bot of bots) bot.close();
        this.byWorld.delete(worldId);
      }
    if (!gatewayUrl || this.perWorld === 0) return;
    for (const worldId of worldIds) {
      if (this.byWorld.has(worldId)) continue;
      const bots: Bot[] = [];
      for (let n = 1; n <= this.perWorld; n++)
        bots.push(startBot(gatewayUrl, this.secret, worldId, n));
      this.byWorld.set(worldId, bots);
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

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** What the gauges read at scrape time. */
export interface GameGaugeSource {
  worlds(): number;
  players(): number;
}

/**
 * A game module's Prometheus metrics, in a registry of its own (served on METRICS_PORT). No
 * label names a player or a world.
 */
export class GameMetrics {
  readonly registry = new Registry();
  /** Player commands by result: `ok` or the refusal's code. */
  readonly commands = new Counter({
    name: 'anvil_game_commands_total',
    help: 'Player commands validated and applied (ok) or refused (by code).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  /** Worlds brought back here after their owner went away (failover). */
  readonly takeovers = new Counter({
    name: 'anvil_game_takeovers_total',
    help: 'Worlds this replica took over from an owner that went away.',
    registers: [this.registry],
  });
  readonly lost = new Counter({
    name: 'anvil_game_worlds_lost_total',
    help: 'Worlds stopped here because their lease ended or was taken.',
    registers: [this.registry],
  });

  constructor(source: GameGaugeSource) {
    new Gauge({
      name: 'anvil_game_worlds',
      help: 'Worlds running on this replica.',
      registers: [this.registry],
      collect() {
        this.set(source.worlds());
      },
    });
    new Gauge({
      name: 'anvil_game_players',
      help: 'Players in the worlds of this replica.',
      registers: [this.registry],
      collect() {
        this.set(source.players());
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'anvil_game_' });
  }
}

// Test support: the gateway's services wired by hand, as Nest would wire them, with fakes only
// at the IO boundaries (the interaction engine and socket.io); storage is in-memory PGlite and
// the bus the in-memory one.
import pino from 'pino';
import { InMemoryBus } from '@anvil/bus';
import type { Storage } from '@anvil/storage';
import { AuditService } from '../audit/audit.service';
import { CommandsService } from '../commands/commands.service';
import { loadGatewayConfig } from '../config/gateway-config';
import { GatewayConfigService } from '../config/gateway-config.service';
import { SnapshotService } from '../engine/snapshot.service';
import { FanoutService } from '../fanout/fanout.service';
import { MetricsService } from '../metrics/metrics.service';
import { ConnectionsService } from '../worlds/connections.service';
import { PlayerBodiesService } from '../worlds/player-bodies.service';
import { RunningWorldsService } from '../worlds/running-worlds.service';
import { WorldRegistryService } from '../worlds/world-registry.service';
import { WorldsService } from '../worlds/worlds.service';
import { TEST_SECRET } from './clients';
import { TEST_ENGINE_TOKEN } from './engines';
import { FakeInteractionEngine } from './fake-engine';
import { FakeNamespace } from './fake-sockets';

export interface GatewayServices {
  engine: FakeInteractionEngine;
  nsp: FakeNamespace;
  bus: InMemoryBus;
  metrics: MetricsService;
  audit: AuditService;
  config: GatewayConfigService;
  fanout: FanoutService;
  worlds: WorldsService;
  commands: CommandsService;
  bodies: PlayerBodiesService;
  running: RunningWorldsService;
  registry: WorldRegistryService;
  /** Unsubscribes and closes the bus (storage is the caller's). */
  close(): Promise<void>;
}

/** The services on `storage`, with the fanout subscribed and attached to a fake namespace. */
export async function gatewayServices(
  storage: Storage,
  env: Record<string, string> = {},
): Promise<GatewayServices> {
  const config = new GatewayConfigService(
    loadGatewayConfig({ JWT_SECRET: TEST_SECRET, ENGINE_TOKEN: TEST_ENGINE_TOKEN, ...env }),
  );
  const logger = pino({ level: process.env['GATEWAY_TEST_LOG'] ?? 'silent' });
  const engine = new FakeInteractionEngine();
  const bus = new InMemoryBus({ partitions: 1 });
  const metrics = new MetricsService();
  const registry = new WorldRegistryService(storage, config);
  const running = new RunningWorldsService(engine.asService(), registry, storage, config, logger);
  const bodies = new PlayerBodiesService(engine.asService(), running, logger);
  const snapshots = new SnapshotService(engine.asService());
  const fanout = new FanoutService(bus, logger, snapshots, metrics, config);
  const audit = new AuditService(storage, logger, metrics, config);
  const connections = new ConnectionsService();
  const worlds = new WorldsService(
    registry,
    bodies,
    snapshots,
    engine.asService(),
    fanout,
    audit,
    config,
    connections,
    logger,
  );
  const commands = new CommandsService(engine.asService(), running, bodies);
  const nsp = new FakeNamespace();
  fanout.attach(nsp.asNamespace());
  connections.attach(nsp.asNamespace());
  await fanout.onApplicationBootstrap();
  return {
    engine,
    nsp,
    bus,
    metrics,
    audit,
    config,
    fanout,
    worlds,
    commands,
    bodies,
    running,
    registry,
    close: async () => {
      await bodies.flush(1_000);
      await audit.drain(1_000);
      await fanout.onApplicationShutdown();
      await bus.close();
    },
  };
}

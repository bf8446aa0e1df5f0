// The embedded host: the whole platform in one process (docs/embedded.md). It plays the
// control plane's part with the controller's own functions (resolve, world status, registry
// rows) and runs the data plane's apps through their packages with one shared bus and one
// storage, as a cluster runs them from their images.
import * as path from 'node:path';
import type { WorldInstanceStatus } from '@anvil/capability-model';
import { InMemoryBus } from '@anvil/bus';
import { createStorage, type Storage } from '@anvil/storage';
import { OPEN_HOST_WARNING, webApi, type CommandHistory, type HostState } from './api';
import { Bots } from './bots';
import { Engines } from './engines';
import { readFolder, type Loaded } from './folder';
import { isLoopbackHost } from './http';
import { lockDataFolder } from './lock';
import type { Options } from './options';
import { planWorlds, type Plan } from './plans';
import { Registry, publishWorlds } from './registry';
import { banner, reloadReport } from './report-lines';
import { WorldStatuses } from './status';
import { devSecret } from './tokens';
import { ViewFeed } from './view-feed';
import { watchFolder } from './watch';
import { startWeb, type RunningWeb } from './web-server';
import { computeWiring, wiringKey, type Wiring } from './wiring';
import { messageOf, shown } from './workspace';

const log = (line: string) => console.log(line);
const warn = (line: string) => console.error(line);

export class Host implements HostState {
  loaded: Loaded = { objects: [], problems: [], files: [], ignored: 0 };
  plans: Plan[] = [];
  wiring: Wiring = computeWiring([]);
  secret = '';
  engines!: Engines;
  bots!: Bots;
  unlock: (() => void) | undefined;
  private readonly statuses = new WorldStatuses();
  private storage: Storage | undefined;
  private bus: InMemoryBus | undefined;
  private registry!: Registry;
  private feed: ViewFeed | undefined;
  private web: RunningWeb | undefined;
  private queue: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  private stopWatching: (() => void) | undefined;

  constructor(
    readonly options: Options,
    /** The hops of recent commands (tracing's in-memory view), for GET /api/commands. */
    readonly recentCommands?: CommandHistory,
  ) {}

  get manifests(): string {
    return this.options.manifests;
  }

  statusOf = (id: string): WorldInstanceStatus => this.statuses.of(id);

  /** The web view's URL once it listens (tests that run a host in their own process). */
  get webUrl(): string | undefined {
    return this.web?.url;
  }

  async start(): Promise<void> {
    const { options } = this;
    this.unlock = lockDataFolder(options.data);
    this.secret = devSecret(options.data);
    log(`Reading ${shown(options.manifests)}/ …`);
    const plans = this.readFolder();
    const db = path.join(options.data, 'db');
    log(`Opening storage (PGlite in ${shown(db)}; the first start takes a while) …`);
    const storage = (this.storage = await createStorage({ url: `pglite://${db}` }));
    await storage.migrate();
    this.bus = new InMemoryBus();
    this.registry = new Registry(storage, warn);
    this.engines = new Engines({
      bus: this.bus,
      storage,
      registry: this.registry,
      options,
      secret: this.secret,
      log,
      warn,
    });
    this.bots = new Bots(this.secret, options.bots);
    this.feed = new ViewFeed({
      bus: this.bus,
      snapshot: (id) => this.engines.snapshot(id),
      onActivity: (id, event) => this.engines.onActivity(id, event),
    });
    await this.feed.start();
    const bare = options.host.includes(':') ? `[${options.host}]` : options.host;
    if (!isLoopbackHost(bare)) warn(OPEN_HOST_WARNING(options.host));
    const { host, port } = options;
    this.web = await startWeb({ host, port, api: webApi(this), feed: this.feed, log: warn });
    log('Starting the engines and the gateway …');
    await this.applyPlans(plans, true);
    await this.registry.removeOthers(new Set(this.plans.map((p) => p.id)));
    log(banner(this, this.web?.url ?? ''));
    if (options.watch)
      this.stopWatching = watchFolder(
        options.manifests,
        () => void this.enqueue(() => this.reload()),
        warn,
      );
  }

  /** Reads and validates the folder (printing its problems); returns the resolved worlds. */
  private readFolder(): Plan[] {
    this.loaded = readFolder(this.options.manifests, log, warn);
    return planWorlds(this.loaded.objects);
  }

  /**
   * Makes the running system match `plans`: restarts the data plane when the engines or their
   * wiring changed, closes removed worlds, and writes every world's status and registry row.
   */
  private async applyPlans(plans: Plan[], first = false): Promise<void> {
    const wiring = computeWiring(plans);
    const restart = first || wiringKey(wiring) !== wiringKey(this.wiring);
    if (!restart && this.plans.some((p) => !plans.some((q) => q.id === p.id)))
      await this.retire(plans);
    if (restart) {
      if (!first) log('Engines or their wiring changed: restarting the data plane …');
      this.bots.closeAll();
      await this.engines.stop();
    }
    await this.engines.track(
      plans.map((p) => p.id),
      restart,
      wiring,
    );
    this.plans = plans;
    this.wiring = wiring;
    if (restart) {
      const web = this.web as RunningWeb;
      const origins = [web.url.replace(/\/$/, ''), `http://localhost:${web.port}`];
      await this.engines.start(wiring, origins).catch((error: unknown) => {
        if (first) throw error;
        warn(`The data plane did not start: ${messageOf(error)}`);
      });
    }
    await publishWorlds(this, this.statuses, this.registry);
    const ready = plans.filter((p) => this.statuses.phaseOf(p.id) === 'Ready');
    this.bots.sync(this.engines.gatewayUrl, ready);
    if (restart && !first) this.feed?.resyncAll();
  }

  /**
   * Before a removed world is closed on its engines: its row says Terminating (the gateway reads
   * the row fresh before it starts a world) and its bots leave, so no late command starts it again.
   */
  private async retire(plans: Plan[]): Promise<void> {
    const kept = new Set(plans.map((p) => p.id));
    await this.registry.terminateOthers(kept);
    const ready = this.plans.filter(
      (p) => kept.has(p.id) && this.statuses.phaseOf(p.id) === 'Ready',
    );
    this.bots.sync(this.engines.gatewayUrl, ready);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue
      .then(() => (this.stopping ? undefined : task()))
      .catch((error: unknown) =>
        warn(`reload failed: ${error instanceof Error ? error.stack : error}`),
      );
    return this.queue;
  }

  private async reload(): Promise<void> {
    const before = new Map(
      this.plans.map((p) => [p.id, { plan: p, phase: this.statuses.phaseOf(p.id) }]),
    );
    log(
      `\n[${new Date().toLocaleTimeString()}] ${shown(this.options.manifests)}/ changed: re-reading …`,
    );
    const plans = this.readFolder();
    await this.applyPlans(plans);
    log(reloadReport(before, plans, this.statuses, this.wiring));
  }

  /** Stops everything, in order: watcher, bots, spectators, web, gateway, engines, bus, storage. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopWatching?.();
      await this.queue.catch(() => undefined);
      this.bots?.closeAll();
      await this.feed
        ?.close()
        .catch((e: unknown) => warn(`closing the view feed: ${messageOf(e)}`));
      await this.web?.close();
      await this.engines?.stop();
      await this.bus?.close().catch((e: unknown) => warn(`closing the bus: ${messageOf(e)}`));
      await this.storage?.close().catch((e: unknown) => warn(`closing storage: ${messageOf(e)}`));
      this.unlock?.();
    })();
    return this.stopping;
  }
}

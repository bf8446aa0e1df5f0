// The embedded host: the whole platform in one process (DESIGN.md "Two modes, one code path").
// It plays the control plane's part itself (read the folder, validate, resolve, write world
// status to storage) and runs the data plane's apps from their builds with one shared bus and
// one storage, as a cluster would run them from their images.
const fs = require('node:fs');
const path = require('node:path');
const { requireFrom } = require('./workspace.cjs');
const { loadFolder, planWorlds, resolvedCondition, formatProblem } = require('./manifests.cjs');
const { computeWiring, wiringKey } = require('./wiring.cjs');
const {
  startDataPlane,
  stopDataPlane,
  initWorld,
  snapshotWorld,
  forgetWorld,
} = require('./data-plane.cjs');
const { signToken, devSecret, playerIdFrom } = require('./tokens.cjs');
const { Bots } = require('./bots.cjs');
const { startWeb, ViewFeed } = require('./web.cjs');
const { statusBlock, describeWorldChange } = require('./report.cjs');

const { InMemoryBus } = requireFrom('.', '@anvil/bus');
const { createStorage } = requireFrom('.', '@anvil/storage');

const log = (...lines) => console.log(lines.join('\n'));
const warn = (...lines) => console.error(lines.join('\n'));
/** A path relative to the working folder when inside it, else absolute. */
const shown = (p) => {
  const r = path.relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
};
const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Refuses a second host on the same data folder (PGlite is one process's database). */
function lockDataFolder(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'host.pid');
  try {
    const pid = Number(fs.readFileSync(file, 'utf8'));
    if (pid && pid !== process.pid) {
      process.kill(pid, 0); // throws when no such process
      throw Object.assign(
        new Error(
          `another Anvil host (pid ${pid}) uses the data folder ${dir}; stop it, or start this one with --data OTHER_DIR`,
        ),
        { code: 'LOCKED' },
      );
    }
  } catch (error) {
    if (error.code === 'LOCKED') throw error;
  }
  fs.writeFileSync(file, String(process.pid));
  return () => {
    try {
      if (Number(fs.readFileSync(file, 'utf8')) === process.pid) fs.unlinkSync(file);
    } catch {
      // already gone
    }
  };
}

class Host {
  constructor(options) {
    this.options = options;
    this.loaded = { objects: [], problems: [], files: [] };
    this.plans = [];
    this.wiring = computeWiring([]);
    this.plane = undefined;
    this.runtime = new Map(); // worldId -> { ready: 'Starting'|'Running'|'Failed', message, players: Set }
    this.conditions = new Map(); // worldId -> previous conditions (for lastTransitionTime)
    this.queue = Promise.resolve();
    this.stopping = undefined;
  }

  async start() {
    const { options } = this;
    this.unlock = lockDataFolder(options.data);
    this.secret = devSecret(options.data);
    log(`Reading ${shown(options.manifests)}/ …`);
    const plans = this.readFolder();
    log(
      `Opening storage (PGlite in ${shown(path.join(options.data, 'db'))}; the first start takes a while) …`,
    );
    this.storage = await createStorage({ url: `pglite://${path.join(options.data, 'db')}` });
    await this.storage.migrate();
    this.bus = new InMemoryBus();
    this.bots = new Bots({ secret: this.secret, perWorld: options.bots, log });
    this.feed = new ViewFeed({
      bus: this.bus,
      snapshot: (id) => this.snapshot(id),
      onEvent: (id, e) => this.onWorldEvent(id, e),
    });
    await this.feed.start();
    if (!['127.0.0.1', 'localhost', '::1'].includes(options.host)) {
      warn(
        `Warning: listening on ${options.host}: anyone who reaches this machine can open the page and watch the worlds (dev mode); /api/token hands out player tokens only to a loopback Host (localhost, 127.0.0.1, [::1]).`,
      );
    }
    this.web = await startWeb({
      host: options.host,
      port: options.port,
      api: this.api(),
      feed: this.feed,
      log: warn,
    });
    this.gatewayPort = options.gatewayPort;
    log('Starting the engines and the gateway …');
    await this.applyPlans(plans, { first: true });
    await this.removeStaleWorlds();
    const playerId = 'player-1';
    this.tokens = {
      playerId,
      player: signToken(this.secret, { sub: playerId }),
      admin: signToken(this.secret, { sub: 'admin', roles: ['admin'] }),
    };
    log(
      statusBlock({
        options,
        loaded: this.loaded,
        plans: this.plans,
        statusOf: (id) => this.status(id),
        wiring: this.wiring,
        plane: this.plane,
        web: this.web,
        tokens: this.tokens,
        bots: this.bots,
      }),
    );
    if (options.watch) this.watch();
  }

  /** Reads and validates the folder, prints every problem with file, object and field; returns the resolved worlds. */
  readFolder() {
    this.loaded = loadFolder(this.options.manifests);
    for (const p of this.loaded.problems)
      warn(`  invalid: ${formatProblem(p, this.options.manifests)}`);
    if (this.loaded.ignored)
      log(`  (${this.loaded.ignored} object(s) of other kinds or API groups ignored)`);
    return planWorlds(this.loaded.objects);
  }

  /**
   * Makes the running system match `plans`: restarts the data plane when the engines or their
   * wiring changed, creates new worlds on the engines, and writes every world's phase.
   */
  async applyPlans(plans, { first = false } = {}) {
    const wiring = computeWiring(plans);
    const restart = first || wiringKey(wiring) !== wiringKey(this.wiring);
    this.plans = plans;
    if (restart) {
      if (!first) log(`Engines or their wiring changed: restarting the data plane …`);
      this.bots.closeAll();
      if (this.plane) await stopDataPlane(this.plane, warn);
      this.plane = undefined;
      for (const r of this.runtime.values())
        Object.assign(r, { ready: 'Starting', message: 'the engines are starting' });
    }
    this.wiring = wiring;
    for (const plan of plans)
      if (!this.runtime.has(plan.id))
        this.runtime.set(plan.id, {
          ready: 'Starting',
          message: 'the engines are starting',
          players: new Set(),
        });
    for (const id of [...this.runtime.keys()])
      if (!plans.some((p) => p.id === id)) {
        this.runtime.delete(id);
        if (this.plane)
          await forgetWorld(this.plane, id).catch((error) =>
            warn(`world ${id}: closing it on its engines failed: ${error.message}`),
          );
      }
    if (restart) {
      try {
        this.plane = await startDataPlane(wiring, {
          bus: this.bus,
          storage: this.storage,
          options: this.options,
          secret: this.secret,
          gatewayPort: this.gatewayPort,
          corsOrigins: [this.web.url.replace(/\/$/, ''), `http://localhost:${this.web.port}`],
          log,
        });
        this.gatewayPort = this.plane.gateway.port; // keep the URL the page knows across restarts
      } catch (error) {
        if (first) throw error;
        warn(`The data plane did not start: ${error.message}`);
        this.plane = undefined;
      }
    }
    for (const plan of plans) {
      const w = wiring.worlds.get(plan.id);
      const rt = this.runtime.get(plan.id);
      if (!w.runnable) {
        rt.ready = 'NotRunnable';
        rt.message = w.message;
        continue;
      }
      if (!this.plane) {
        Object.assign(rt, {
          ready: 'Failed',
          message: 'the data plane is not running; see the terminal',
        });
        continue;
      }
      if (this.plane.worlds.has(plan.id)) continue;
      try {
        const info = await initWorld(this.plane, plan, w, this.options.props);
        rt.ready = 'Running';
        rt.message = `running on ${w.services.map((s) => `${s.app} ${this.plane.running.get(s.port).address} (${s.module}@${s.version})`).join(' and ')} at ${info.tickHz} Hz`;
        if (info.restored) {
          rt.message += `, continued from its checkpoint at tick ${info.tick}`;
          log(`  world ${plan.id}: continued from its checkpoint at tick ${info.tick}`);
        }
        if (restart) rt.players.clear();
      } catch (error) {
        rt.ready = 'Failed';
        rt.message = `Init on the engines failed: ${error.message}`;
        warn(`world ${plan.id}: ${rt.message}`);
      }
    }
    await this.writeWorlds();
    const running = plans
      .filter((p) => this.runtime.get(p.id).ready === 'Running')
      .map((p) => p.id);
    this.bots.sync(this.plane?.gateway ? this.plane.gateway.url : undefined, running);
    if (restart && !first) this.feed.resyncAll();
  }

  /** The world's conditions and phase, as the controller computes them, plus where it runs. */
  status(id) {
    const plan = this.plans.find((p) => p.id === id);
    const rt = this.runtime.get(id) || { ready: 'Starting', message: '' };
    const resolved = resolvedCondition(plan.resolution);
    let ready;
    if (resolved.status !== 'True')
      ready = {
        type: 'Ready',
        status: 'False',
        reason: 'Unresolved',
        message: 'the world has unresolved required capabilities; see the Resolved condition',
      };
    else if (rt.ready === 'Running')
      ready = { type: 'Ready', status: 'True', reason: 'Running', message: rt.message };
    else if (rt.ready === 'Starting')
      ready = { type: 'Ready', status: 'Unknown', reason: 'Starting', message: rt.message };
    else
      ready = {
        type: 'Ready',
        status: 'False',
        reason: rt.ready === 'NotRunnable' ? this.wiring.worlds.get(id).reason : 'EngineFailed',
        message: rt.message,
      };
    const previous = this.conditions.get(id) || [];
    const conditions = [resolved, ready].map((c) => {
      const before = previous.find((p) => p.type === c.type);
      return {
        ...c,
        lastTransitionTime:
          before && before.status === c.status ? before.lastTransitionTime : timestamp(),
      };
    });
    this.conditions.set(id, conditions);
    const phase =
      resolved.status === 'False' ? 'Unresolved' : ready.status === 'True' ? 'Ready' : 'Resolved';
    return { phase, conditions };
  }

  /** Writes every world and its phase to storage, where the gateway reads which worlds may be joined. */
  async writeWorlds() {
    for (const plan of this.plans) {
      const { spec } = plan.world;
      try {
        await this.storage.worlds.upsert({
          id: plan.id,
          namespace: plan.namespace,
          name: plan.name,
          game: spec.gameRef,
          region: spec.region,
          shards: spec.shards,
          phase: this.status(plan.id).phase,
        });
      } catch (error) {
        warn(`world ${plan.id}: writing its status to storage failed: ${error.message}`);
      }
    }
    // Worlds gone from the folder: not joinable any more (deleted at the next start).
    for (const world of await this.storage.worlds.list().catch(() => [])) {
      if (!this.plans.some((p) => p.id === world.id) && world.phase !== 'Terminating') {
        await this.storage.worlds.setPhase(world.id, 'Terminating').catch(() => undefined);
      }
    }
  }

  /** Deletes worlds that earlier runs registered and the folder no longer has. */
  async removeStaleWorlds() {
    for (const world of await this.storage.worlds.list().catch(() => [])) {
      if (!this.plans.some((p) => p.id === world.id))
        await this.storage.worlds.delete(world.id).catch(() => undefined);
    }
  }

  onWorldEvent(worldId, event) {
    const rt = this.runtime.get(worldId);
    if (!rt) return;
    if (event.type === 'player-joined') rt.players.add(event.playerId);
    if (event.type === 'player-left') rt.players.delete(event.playerId);
  }

  async snapshot(worldId) {
    const w = this.wiring.worlds.get(worldId);
    if (!this.plane || !w || !w.runnable || !this.plane.worlds.has(worldId))
      throw new Error(`world ${worldId} is not running (${this.status(worldId).phase})`);
    return snapshotWorld(this.plane, w, worldId);
  }

  api() {
    return {
      hasWorld: (id) => this.plans.some((p) => p.id === id),
      snapshot: (id) => this.snapshot(id),
      token: (player, worldId) => {
        const playerId = playerIdFrom(player);
        return {
          playerId,
          token: signToken(
            this.secret,
            worldId ? { sub: playerId, worlds: [worldId] } : { sub: playerId },
          ),
          gatewayPort: this.plane?.gateway?.port ?? this.gatewayPort,
        };
      },
      config: () => ({
        gatewayPort: this.plane?.gateway?.port ?? this.gatewayPort,
        gatewayUrl: this.plane?.gateway?.url,
        worlds: this.plans.map((p) => p.id),
      }),
      worlds: () => this.worldsJson(),
    };
  }

  /** GET /api/worlds: each world's spec, bindings, diagnostics, status, engines and players. */
  worldsJson() {
    const rel = (file) => path.relative(this.options.manifests, file);
    return {
      manifests: this.options.manifests,
      gateway: this.plane?.gateway
        ? { url: this.plane.gateway.url, port: this.plane.gateway.port }
        : null,
      engines: this.plane
        ? [...this.plane.running.values()].map((r) => ({
            app: r.spec.app,
            module: r.spec.module,
            version: r.spec.version,
            manifest: r.spec.manifestName,
            endpointPort: r.spec.port,
            address: r.address,
            env: r.env,
            worlds: r.spec.worlds,
          }))
        : [],
      problems: this.loaded.problems.map((p) => ({ ...p, file: rel(p.file) })),
      worlds: this.plans.map((plan) => {
        const w = this.wiring.worlds.get(plan.id);
        const rt = this.runtime.get(plan.id);
        const status = this.status(plan.id);
        const info = this.plane?.worlds.get(plan.id);
        return {
          id: plan.id,
          namespace: plan.namespace,
          name: plan.name,
          source: plan.source ? { file: rel(plan.source.file), line: plan.source.line } : null,
          spec: plan.world.spec,
          game: plan.game
            ? { name: plan.game.metadata.name, description: plan.game.spec.description || '' }
            : null,
          status: {
            phase: status.phase,
            conditions: status.conditions,
            bindingCount: plan.resolution.bindings.length,
            diagnostics: plan.resolution.diagnostics,
          },
          bindings: plan.resolution.bindings,
          participants: plan.participants.map(({ module, version, manifestName, manifest }) => ({
            module,
            version,
            manifestName,
            image: manifest?.spec.image,
            endpoint: manifest?.spec.endpoint,
          })),
          engines:
            w.runnable && this.plane
              ? w.services.map((s) => ({ ...s, address: this.plane.running.get(s.port)?.address }))
              : [],
          arena: info?.config
            ? {
                widthMm: info.config.widthMm,
                heightMm: info.config.heightMm,
                gravityYMmS2: info.config.gravityYMmS2 ?? -9810,
              }
            : null,
          tickHz: info?.tickHz ?? null,
          players: rt ? [...rt.players].sort() : [],
          bots: this.bots.list(plan.id),
        };
      }),
    };
  }

  /** Re-reads the folder when a YAML file changes (debounced), and applies what changed. */
  watch() {
    let timer;
    const trigger = () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.enqueue(() => this.reload()), 400);
    };
    try {
      this.watcher = fs.watch(this.options.manifests, { recursive: true }, (_event, file) => {
        if (!file || /\.ya?ml$/i.test(String(file)) || !String(file).includes('.')) trigger();
      });
      this.watcher.on('error', (error) =>
        warn(`watching ${this.options.manifests} stopped: ${error.message}`),
      );
    } catch (error) {
      warn(`cannot watch ${this.options.manifests}: ${error.message}; changes need a restart`);
    }
    this.stopWatching = () => {
      clearTimeout(timer);
      this.watcher?.close();
    };
  }

  enqueue(task) {
    this.queue = this.queue
      .then(() => (this.stopping ? undefined : task()))
      .catch((error) => warn(`reload failed: ${error.stack || error.message}`));
    return this.queue;
  }

  async reload() {
    const before = new Map(
      this.plans.map((p) => [p.id, { plan: p, phase: this.status(p.id).phase }]),
    );
    log(
      `\n[${new Date().toLocaleTimeString()}] ${shown(this.options.manifests)}/ changed: re-reading …`,
    );
    const plans = this.readFolder();
    await this.applyPlans(plans);
    const lines = [];
    const ids = [...new Set([...before.keys(), ...plans.map((p) => p.id)])].sort();
    for (const id of ids) {
      const after = plans.find((p) => p.id === id);
      lines.push(
        ...describeWorldChange(
          id,
          before.get(id)?.plan,
          after,
          before.get(id)?.phase,
          after ? this.status(id).phase : undefined,
        ),
      );
      const w = this.wiring.worlds.get(id);
      if (after && w && !w.runnable && before.get(id)?.phase === 'Ready')
        lines.push(`world ${id}:   not run here any more: ${w.message}`);
    }
    log(
      lines.length
        ? lines.map((l) => `  ${l}`).join('\n')
        : '  no change in worlds, bindings or phases',
    );
  }

  /** Stops everything, in order: watcher, bots, spectators, web, gateway, engines, bus, storage. */
  stop() {
    this.stopping ??= (async () => {
      this.stopWatching?.();
      await this.queue.catch(() => undefined);
      this.bots?.closeAll();
      await this.feed?.close().catch((e) => warn(`closing the view feed: ${e.message}`));
      await this.web?.close();
      if (this.plane) await stopDataPlane(this.plane, warn);
      await this.bus?.close().catch((e) => warn(`closing the bus: ${e.message}`));
      await this.storage?.close().catch((e) => warn(`closing storage: ${e.message}`));
      this.unlock?.();
    })();
    return this.stopping;
  }
}

/** Runs the host until SIGINT/SIGTERM; exits 0 after a clean stop. */
async function run(options) {
  const host = new Host(options);
  let signalled = 0;
  const onSignal = (signal) => {
    // `npm start` forwards the terminal's Ctrl-C to us, which the terminal also sends: one
    // press arrives twice. Only a second press (a while later) forces the exit.
    if (signalled) {
      if (Date.now() - signalled < 2_000) return;
      warn(`${signal} again: exiting now`);
      host.unlock?.();
      process.exit(1);
    }
    signalled = Date.now();
    log(`\n${signal}: stopping bots, gateway, engines, bus and storage …`);
    const timer = setTimeout(() => {
      warn('stopping took longer than 20 s; exiting');
      process.exit(1);
    }, 20_000);
    timer.unref();
    host.stop().then(
      () => {
        log('Stopped.');
        process.exit(0);
      },
      (error) => {
        warn(`stopping failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('unhandledRejection', (error) =>
    warn(`unexpected: ${error && error.stack ? error.stack : error}`),
  );
  try {
    await host.start();
  } catch (error) {
    warn(`\nAnvil could not start: ${error.message}`);
    await host.stop().catch(() => undefined);
    process.exit(1);
  }
}

module.exports = { run, Host };

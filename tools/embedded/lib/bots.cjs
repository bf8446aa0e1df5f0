// Bot players: real socket.io clients of the gateway, each with its own token, that join a
// world and wander about (a move or a jump every 0.5-1.5 s: far below every rate limit).
const { requireFrom } = require('./workspace.cjs');
const { signToken } = require('./tokens.cjs');

const { io } = requireFrom('apps/gateway', 'socket.io-client');

/** A bot's player id: bot-<world>-<n>, trimmed to what the gateway accepts. */
const botId = (worldId, n) => `bot-${worldId.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40)}-${n}`;

/** Starts one bot; returns { id, worldId, stats, close() }. */
function startBot({ gatewayUrl, secret, worldId, n }) {
  const id = botId(worldId, n);
  // A fresh token at every (re)connection: tokens expire (the gateway drops a connection at its
  // token's exp, and refuses lifetimes over JWT_MAX_LIFETIME_SECONDS), bots run for days.
  const socket = io(gatewayUrl, {
    auth: (send) => send({ token: signToken(secret, { sub: id, worlds: [worldId] }) }),
    transports: ['websocket'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 3_000,
  });
  const stats = { joined: false, commands: 0, acked: 0, refused: 0, lastError: undefined };
  let seq = 0;
  let timer;
  let closed = false;
  // Wander: walk towards a random spot of the arena (its own body's x comes with the deltas),
  // pick another when there, jump now and then.
  const bodyId = `p:${id}`;
  let x;
  let target = 3_000 + Math.random() * 34_000;
  socket.on('delta', (delta) => {
    const mine = delta.bodies.find((b) => b.id === bodyId);
    if (mine) x = mine.x;
  });

  const act = async () => {
    if (closed || !stats.joined) return;
    if (x !== undefined && Math.abs(target - x) < 1_000) target = 3_000 + Math.random() * 34_000;
    const roll = Math.random();
    let cmd;
    if (roll < 0.2) cmd = { type: 'jump' };
    else if (roll < 0.27 || x === undefined) cmd = { type: 'move', dx: 0 };
    else
      cmd = {
        type: 'move',
        dx: Number((Math.sign(target - x) * (1.5 + Math.random() * 4.5)).toFixed(2)),
      };
    stats.commands++;
    try {
      const ack = await socket.timeout(5_000).emitWithAck('cmd', { seq: ++seq, worldId, ...cmd });
      if (ack && ack.ok) stats.acked++;
      else {
        stats.refused++;
        stats.lastError = ack ? `${ack.code}: ${ack.message}` : 'no answer';
        // A world that went away or was restarted: join again.
        if (ack && (ack.code === 'NOT_IN_WORLD' || ack.engineCode === 'NOT_FOUND')) join();
      }
    } catch (error) {
      stats.refused++;
      stats.lastError = error.message;
    }
  };
  const schedule = () => {
    if (closed) return;
    timer = setTimeout(
      async () => {
        await act();
        schedule();
      },
      500 + Math.random() * 1_000,
    );
  };
  const join = async () => {
    if (closed) return;
    try {
      const ack = await socket.timeout(10_000).emitWithAck('world:join', { worldId });
      stats.joined = Boolean(ack && ack.ok);
      if (!stats.joined) {
        stats.lastError = ack ? `${ack.code}: ${ack.message}` : 'no answer';
        setTimeout(join, 3_000).unref();
      }
    } catch (error) {
      stats.joined = false;
      stats.lastError = error.message;
      setTimeout(join, 3_000).unref();
    }
  };
  socket.on('connect', () => {
    if (!socket.recovered) {
      stats.joined = false;
      seq = 0;
      join();
    }
  });
  socket.on('connect_error', (error) => {
    stats.lastError = error.data ? `${error.data.code}: ${error.data.message}` : error.message;
  });
  // Dropped because its token expired: come back with a fresh one (a kick keeps it out).
  let expired = false;
  socket.on('exception', (e) => {
    if (e && e.code === 'AUTH_EXPIRED') expired = true;
  });
  socket.on('disconnect', () => {
    stats.joined = false;
    if (expired && !closed) {
      expired = false;
      setTimeout(() => !closed && socket.connect(), 1_000).unref();
    }
  });
  schedule();
  return {
    id,
    worldId,
    stats,
    close() {
      closed = true;
      clearTimeout(timer);
      socket.close();
    },
  };
}

/** The bots of every world: `sync(worldIds)` starts and stops bots so each listed world has `perWorld`. */
class Bots {
  constructor({ secret, perWorld, log }) {
    this.secret = secret;
    this.perWorld = perWorld;
    this.log = log;
    this.gatewayUrl = undefined;
    this.byWorld = new Map();
  }

  /** Runs bots in exactly the given worlds (through the gateway at `gatewayUrl`). */
  sync(gatewayUrl, worldIds) {
    if (gatewayUrl !== this.gatewayUrl) this.closeAll();
    this.gatewayUrl = gatewayUrl;
    for (const [worldId, bots] of this.byWorld) {
      if (!worldIds.includes(worldId)) {
        for (const bot of bots) bot.close();
        this.byWorld.delete(worldId);
      }
    }
    if (!gatewayUrl || this.perWorld === 0) return;
    for (const worldId of worldIds) {
      if (this.byWorld.has(worldId)) continue;
      const bots = [];
      for (let n = 1; n <= this.perWorld; n++)
        bots.push(startBot({ gatewayUrl, secret: this.secret, worldId, n, log: this.log }));
      this.byWorld.set(worldId, bots);
    }
  }

  /** The bots of a world, for status. */
  list(worldId) {
    return (this.byWorld.get(worldId) || []).map((b) => ({ id: b.id, ...b.stats }));
  }

  closeAll() {
    for (const bots of this.byWorld.values()) for (const bot of bots) bot.close();
    this.byWorld.clear();
  }
}

module.exports = { Bots };

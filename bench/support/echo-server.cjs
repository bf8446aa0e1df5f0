// The baseline of bench/gateway and bench/commands: a bare socket.io server with the gateway's
// protocol shape and nothing else (no auth, validation, engines, bus or storage). It acks each
// `cmd` with the next tick, keeps each player's body (position integrated at the same tick rate)
// and broadcasts one `delta` per tick with the bodies that changed, so clients see the same
// message kinds and sizes as from Anvil (like the physics engine, a body this slow stops,
// "sleeps", after SLEEP_TICKS ticks).
const { playerBodyId } = require('@anvil/engine-contract');
const { Server } = require('socket.io');
const { exitWithParent, onStop } = require('./ipc.cjs');

exitWithParent();
const HZ = Number(process.env.TICK_HZ);
const WORLD = process.env.WORLD;

const io = new Server(0, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
const SLEEP_TICKS = Math.round(HZ / 2);
const bodies = new Map();
const changed = new Set();
let tick = 0;

const view = (b) => ({ id: b.id, x: Math.round(b.x), y: b.y, angle: 0, vx: b.vx, vy: 0 });

io.on('connection', (socket) => {
  const id = playerBodyId(socket.handshake.auth.player);
  socket.on('world:join', (_payload, ack) => {
    if (!bodies.has(id))
      bodies.set(id, {
        id,
        x: (bodies.size + 1) * 300,
        y: 300,
        vx: 0,
        qx: (bodies.size + 1) * 300,
      });
    changed.add(id);
    socket.join(WORLD);
    ack({ ok: true, worldId: WORLD, bodyId: id, tick, bodies: [...bodies.values()].map(view) });
  });
  socket.on('cmd', (command, ack) => {
    const body = bodies.get(id);
    if (body) {
      body.vx = Math.round(command.dx * 1000);
      body.awakeTicks = 0;
      changed.add(id);
    }
    ack({ ok: true, seq: command.seq, tick: tick + 1 });
  });
});

setInterval(() => {
  tick++;
  for (const body of bodies.values()) {
    if (body.vx === 0) continue;
    if (++body.awakeTicks > SLEEP_TICKS) {
      body.vx = 0;
      changed.add(body.id);
      continue;
    }
    body.x += body.vx / HZ;
    if (Math.round(body.x) !== body.qx) {
      body.qx = Math.round(body.x);
      changed.add(body.id);
    }
  }
  if (changed.size === 0) return;
  const delta = {
    worldId: WORLD,
    tick,
    bodies: [...changed].sort().map((id) => view(bodies.get(id))),
  };
  changed.clear();
  io.to(WORLD).emit('delta', delta);
}, 1000 / HZ);

io.httpServer.on('listening', () =>
  process.send({ url: `http://127.0.0.1:${io.httpServer.address().port}` }),
);
onStop(() => new Promise((resolve) => io.close(resolve)));

// One bot player: a real socket.io client of the gateway with its own token, that joins a
// world and wanders about (a move or a jump every 0.5-1.5 s: far below every rate limit).
import { playerBodyId } from '@anvil/engine-contract';
import { io } from 'socket.io-client';
import { signToken } from './tokens';

export interface BotStats {
  joined: boolean;
  commands: number;
  acked: number;
  refused: number;
  lastError: string | undefined;
}

export interface Bot {
  id: string;
  worldId: string;
  stats: BotStats;
  close(): void;
}

interface Ack {
  ok?: boolean;
  code?: string;
  message?: string;
  engineCode?: string;
}

const describeAck = (ack: Ack | undefined) => (ack ? `${ack.code}: ${ack.message}` : 'no answer');
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A bot's player id: bot-<world>-<n>, the world part trimmed. */
export const botId = (worldId: string, n: number) =>
  `bot-${worldId.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40)}-${n}`;

/** A random spot of the arena to walk to. */
const newTarget = () => 3_000 + Math.random() * 34_000;

/** Starts one bot. */
export function startBot(gatewayUrl: string, secret: string, worldId: string, n: number): Bot {
  const id = botId(worldId, n);
  // A fresh token at every (re)connection: tokens expire, bots run for days.
  const socket = io(gatewayUrl, {
    auth: (send) => send({ token: signToken(secret, { sub: id, worlds: [worldId] }) }),
    transports: ['websocket'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 3_000,
  });
  const stats: BotStats = {
    joined: false,
    commands: 0,
    acked: 0,
    refused: 0,
    lastError: undefined,
  };
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const bodyId = playerBodyId(id);
  let x: number | undefined;
  let target = newTarget();
  socket.on('delta', (delta: { bodies: Array<{ id: string; x: number }> }) => {
    const mine = delta.bodies.find((b) => b.id === bodyId);
    if (mine) x = mine.x;
  });

  const nextCommand = () => {
    if (x !== undefined && Math.abs(target - x) < 1_000) target = newTarget();
    const roll = Math.random();
    if (roll < 0.2) return { type: 'jump' };
    if (roll < 0.27 || x === undefined) return { type: 'move', dx: 0 };
    const dx = Math.sign(target - x) * (1.5 + Math.random() * 4.5);
    return { type: 'move', dx: Number(dx.toFixed(2)) };
  };
  const act = async () => {
    if (closed || !stats.joined) return;
    stats.commands++;
    try {
      const payload = { seq: ++seq, worldId, ...nextCommand() };
      const ack = (await socket.timeout(5_000).emitWithAck('cmd', payload)) as Ack | undefined;
      if (ack?.ok) return void stats.acked++;
      stats.refused++;
      stats.lastError = describeAck(ack);
      // A world that went away or was restarted: join again.
      if (ack && (ack.code === 'NOT_IN_WORLD' || ack.engineCode === 'NOT_FOUND')) void join();
    } catch (error) {
      stats.refused++;
      stats.lastError = messageOf(error);
    }
  };
  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => void act().then(schedule), 500 + Math.random() * 1_000);
  };
  const join = async () => {
    if (closed) return;
    try {
      const ack = (await socket.timeout(10_000).emitWithAck('world:join', { worldId })) as Ack;
      stats.joined = Boolean(ack?.ok);
      if (!stats.joined) stats.lastError = describeAck(ack);
    } catch (error) {
      stats.joined = false;
      stats.lastError = messageOf(error);
    }
    if (!stats.joined) setTimeout(() => void join(), 3_000).unref();
  };
  socket.on('connect', () => {
    if (socket.recovered) return;
    stats.joined = false;
    seq = 0;
    void join();
  });
  socket.on('connect_error', (error: Error & { data?: Ack }) => {
    stats.lastError = error.data ? describeAck(error.data) : error.message;
  });
  // Dropped because its token expired: come back with a fresh one (a kick keeps it out).
  let expired = false;
  socket.on('exception', (e: Ack | undefined) => {
    if (e?.code === 'AUTH_EXPIRED') expired = true;
  });
  socket.on('disconnect', () => {
    stats.joined = false;
    if (!expired || closed) return;
    expired = false;
    setTimeout(() => !closed && socket.connect(), 1_000).unref();
  });
  schedule();
  const close = () => {
    closed = true;
    clearTimeout(timer);
    socket.close();
  };
  return { id, worldId, stats, close };
}

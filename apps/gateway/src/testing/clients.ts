// Test support: tokens and real socket.io clients.
import jwt from 'jsonwebtoken';
import { io, type Socket } from 'socket.io-client';

/** The HS256 secret test gateways use. */
export const TEST_SECRET = 'test-secret-at-least-16-chars';

/** Signs a token (HS256 with TEST_SECRET unless told otherwise). */
export function token(
  sub: string,
  claims: Record<string, unknown> = {},
  options: jwt.SignOptions = {},
  secret = TEST_SECRET,
): string {
  return jwt.sign({ sub, ...claims }, secret, { algorithm: 'HS256', expiresIn: '1h', ...options });
}

/**
 * Connects and resolves once connected (rejects with the connect_error, or when the connection
 * closes or nothing happens within 30 s: a refusal must be an answer, not silence).
 */
export function connect(
  url: string,
  auth: Record<string, unknown> | undefined,
  options: Record<string, unknown> = {},
): Promise<Socket> {
  const socket = io(url, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...options,
  });
  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      socket.off('connect', onConnect).off('connect_error', fail).off('disconnect', onDisconnect);
    };
    const fail = (error: Error) => {
      settle();
      socket.close();
      reject(error);
    };
    const onConnect = () => {
      settle();
      resolve(socket);
    };
    const onDisconnect = (reason: string) =>
      fail(new Error(`closed before connecting, without an answer: ${reason}`));
    const timer = setTimeout(
      () => fail(new Error('neither connected nor refused within 30 s')),
      30_000,
    );
    socket.once('connect', onConnect);
    socket.once('connect_error', fail);
    socket.once('disconnect', onDisconnect);
  });
}

/** Connects expecting a refusal; resolves with connect_error's data. */
export async function refusal(
  url: string,
  auth: Record<string, unknown> | undefined,
  namespace = '',
  options: Record<string, unknown> = {},
): Promise<{ code: string; message: string }> {
  try {
    const socket = await connect(`${url}${namespace}`, auth, options);
    socket.close();
  } catch (error) {
    const data = (error as { data?: { code: string; message: string } }).data;
    if (!data) throw new Error(`refused without a code: ${String(error)}`);
    return data;
  }
  throw new Error('connected, expected a refusal');
}

/** Emits with an ack and resolves with the answer (rejects after timeoutMs). */
export function request<T = Record<string, unknown>>(
  socket: Socket,
  event: string,
  payload?: unknown,
  timeoutMs = 30_000,
): Promise<T> {
  return (
    payload === undefined
      ? socket.timeout(timeoutMs).emitWithAck(event)
      : socket.timeout(timeoutMs).emitWithAck(event, payload)
  ) as Promise<T>;
}

/** Collects every payload of an event. */
export function record<T = Record<string, unknown>>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => void seen.push(payload));
  return seen;
}

// The last-resort guards, each around code that faults on purpose, on real servers with real
// clients: the caller gets a coded INTERNAL, the fault is logged with the caller, and the next
// caller is served (without the guards these throws end the process or hang the caller).
import 'reflect-metadata';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module, NotFoundException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import type { GatewaySocket } from '../protocol/socket-state';
import { HttpExceptionFilter } from '../errors/http-exception.filter';
import { guardHandshake, guardHook, guardPacketMiddleware } from './socket-guards';

/** A pino logger whose lines are kept for the test to read. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'error' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

describe('socket.io guards', () => {
  let http: HttpServer;
  let server: Server;
  let url: string;
  const { logger, lines } = capturingLogger();
  const clients: Socket[] = [];
  const client = (auth: Record<string, unknown>) => {
    const socket = io(url, {
      auth,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    clients.push(socket);
    return socket;
  };

  beforeAll(async () => {
    http = createServer();
    server = new Server(http);
    server.use(
      guardHandshake(logger, (socket, next) => {
        if (socket.handshake.auth['fault'] === 'handshake')
          throw new Error('a bug in the handshake');
        next();
      }) as unknown as Parameters<Server['use']>[0],
    );
    server.on('connection', (raw) => {
      const socket = raw as unknown as GatewaySocket;
      guardHook(logger, socket, 'connection', () => {
        if (socket.handshake.auth['fault'] === 'hook')
          throw new Error('a bug in the connection hook');
      });
      socket.use(
        guardPacketMiddleware(socket, logger, ([event], next) => {
          if (event === 'boom') throw new Error('a bug in a packet middleware');
          next();
        }),
      );
      socket.on('echo', (value: unknown, ack: (answer: unknown) => void) =>
        ack({ ok: true, value }),
      );
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of clients) socket.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers a faulting packet middleware with INTERNAL (ack and exception), logs the caller, keeps the connection', async () => {
    const socket = client({});
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await expect(socket.timeout(5_000).emitWithAck('boom', { x: 1 })).resolves.toMatchObject({
      ok: false,
      code: 'INTERNAL',
    });
    const exception = new Promise((resolve) => socket.once('exception', resolve));
    socket.emit('boom');
    await expect(exception).resolves.toMatchObject({ event: 'boom', code: 'INTERNAL' });
    expect(
      lines.some(
        (l) =>
          l['socket'] === socket.id &&
          l['address'] !== undefined &&
          /packet middleware/.test(String(l['msg'])),
      ),
    ).toBe(true);
    await expect(socket.timeout(5_000).emitWithAck('echo', 7)).resolves.toEqual({
      ok: true,
      value: 7,
    });
  });

  it('refuses a connection whose handshake middleware faults with connect_error INTERNAL', async () => {
    const socket = client({ fault: 'handshake' });
    const error = await new Promise<{ data?: { code: string } }>((resolve) =>
      socket.once('connect_error', resolve),
    );
    expect(error.data).toMatchObject({ code: 'INTERNAL' });
  });

  it('closes a connection whose connection hook faults, with an INTERNAL exception first', async () => {
    const socket = client({ fault: 'hook' });
    const seen: string[] = [];
    socket.on('exception', (e: { code: string }) => seen.push(e.code));
    const reason = await new Promise((resolve) => socket.once('disconnect', resolve));
    expect(seen).toEqual(['INTERNAL']);
    expect(reason).toBe('io server disconnect');
    const healthy = client({});
    await new Promise<void>((resolve) => healthy.once('connect', () => resolve()));
  });
});

@Controller()
class FaultyController {
  @Get('fault')
  fault(): never {
    throw new TypeError('a bug in a route');
  }
  @Get('missing')
  missing(): never {
    throw new NotFoundException('no such thing');
  }
  @Get('fine')
  fine(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [FaultyController] })
class FaultyModule {}

describe('HTTP guard (HttpExceptionFilter)', () => {
  it('answers an unexpected fault with 500 INTERNAL, logs the caller, keeps serving; HTTP errors keep their status with a code', async () => {
    const { logger, lines } = capturingLogger();
    const app = await NestFactory.create(FaultyModule, { logger: false, bodyParser: false });
    app.useGlobalFilters(new HttpExceptionFilter(logger));
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    try {
      const fault = await fetch(`${base}/fault`);
      expect(fault.status).toBe(500);
      await expect(fault.json()).resolves.toMatchObject({
        code: 'INTERNAL',
        message: 'internal gateway error',
      });
      expect(lines.some((l) => l['url'] === '/fault' && typeof l['address'] === 'string')).toBe(
        true,
      );
      const missing = await fetch(`${base}/missing`);
      expect(missing.status).toBe(404);
      await expect(missing.json()).resolves.toMatchObject({
        code: 'NOT_FOUND',
        message: 'no such thing',
      });
      const deepBody = await fetch(`${base}/nowhere`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '['.repeat(100_000) + ']'.repeat(100_000),
      });
      expect(deepBody.status).toBe(404);
      await expect((await fetch(`${base}/fine`)).json()).resolves.toEqual({ ok: true });
    } finally {
      await app.close();
    }
  });
});

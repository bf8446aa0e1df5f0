import { Writable } from 'node:stream';
import pino from 'pino';
import { NestPinoLogger, createLogger, processLogOf } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: pino({ level: 'trace', base: { app: 'test' } }, stream) };
}

describe('NestPinoLogger', () => {
  it("maps Nest's levels onto pino's, with the context and the trace", () => {
    const { lines, logger } = capture();
    const nest = new NestPinoLogger(logger);
    nest.log('started', 'NestFactory');
    nest.verbose('details');
    nest.error('failed', 'Error: at x', 'Filter');
    expect(lines).toMatchObject([
      { level: 30, msg: 'started', context: 'NestFactory', app: 'test' },
      { level: 10, msg: 'details' },
      { level: 50, msg: 'failed', context: 'Filter', trace: 'Error: at x' },
    ]);
  });
});

describe('processLogOf', () => {
  it('writes lifecycle lines as info and errors with their stack', () => {
    const { lines, logger } = capture();
    const log = processLogOf(logger);
    log.log('SIGTERM: shutting down');
    log.error('shutdown failed', 'Error: stack');
    expect(lines).toMatchObject([
      { level: 30, msg: 'SIGTERM: shutting down' },
      { level: 50, msg: 'shutdown failed', stack: 'Error: stack' },
    ]);
  });
});

describe('createLogger', () => {
  it('tags every line with the app and the extra fields, at the level asked', () => {
    const logger = createLogger({ app: 'gateway', level: 'warn', base: { instance: 'g1' } });
    expect(logger.level).toBe('warn');
    expect(logger.bindings()).toEqual({ app: 'gateway', instance: 'g1' });
  });
});

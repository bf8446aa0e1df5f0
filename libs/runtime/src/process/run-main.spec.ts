import { EventEmitter } from 'node:events';
import { ConfigError } from '../config/config-error';
import { ManualClock } from '../time/manual-clock';
import { closeOnce } from './close-once';
import { runMain, type ProcessLog, type ProcessPort } from './run-main';

/** A process whose signals the test sends and whose exit it records. */
class FakeProcess extends EventEmitter {
  readonly exits: number[] = [];
  exit(code: number): void {
    this.exits.push(code);
  }
}

function harness(close: () => Promise<void> = async () => undefined) {
  const proc = new FakeProcess();
  const clock = new ManualClock();
  const lines: string[] = [];
  const log: ProcessLog = {
    log: (message) => lines.push(message),
    error: (message) => lines.push(`error: ${message}`),
  };
  const closed = jest.fn(close);
  const run = (config: () => { shutdownTimeoutMs: number } = () => ({ shutdownTimeoutMs: 50 })) =>
    runMain({
      config,
      start: async () => ({ close: closed }),
      log,
      process: proc as unknown as ProcessPort,
      timers: clock,
    });
  return { proc, clock, lines, closed, run };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('runMain', () => {
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => stderr.mockRestore());

  it('closes the app on SIGTERM and exits 0', async () => {
    const { proc, lines, closed, run } = harness();
    await run();
    expect(proc.exits).toEqual([]);
    proc.emit('SIGTERM');
    await settle();
    expect(closed).toHaveBeenCalledTimes(1);
    expect(proc.exits).toEqual([0]);
    expect(lines).toEqual(['SIGTERM: shutting down']);
  });

  it('stops once, whichever signals follow', async () => {
    const { proc, closed, run } = harness();
    await run();
    proc.emit('SIGINT');
    proc.emit('SIGTERM');
    proc.emit('SIGINT');
    await settle();
    expect(closed).toHaveBeenCalledTimes(1);
    expect(proc.exits).toEqual([0]);
  });

  it('exits 1 when closing outlasts the shutdown timeout', async () => {
    const { proc, clock, lines, run } = harness(() => new Promise(() => undefined));
    await run();
    proc.emit('SIGTERM');
    clock.advance(49);
    expect(proc.exits).toEqual([]);
    clock.advance(1);
    expect(proc.exits).toEqual([1]);
    expect(lines).toContain('error: shutdown took longer than 50 ms; exiting');
  });

  it('exits 1 when closing fails', async () => {
    const { proc, lines, run } = harness(() => Promise.reject(new Error('stuck')));
    await run();
    proc.emit('SIGTERM');
    await settle();
    expect(proc.exits).toEqual([1]);
    expect(lines).toContain('error: shutdown failed: Error: stuck');
  });

  it('prints a config error and exits 1 without starting', async () => {
    const { proc, closed, run } = harness();
    await run(() => {
      throw new ConfigError('test-app', ['PORT: must be integer', 'BUS: bad']);
    });
    expect(stderr).toHaveBeenCalledWith('invalid test-app config: PORT: must be integer; BUS: bad');
    expect(proc.exits).toEqual([1]);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    expect(closed).not.toHaveBeenCalled();
  });

  it('prints a start failure with its name and exits 1', async () => {
    const proc = new FakeProcess();
    await runMain({
      config: () => ({ shutdownTimeoutMs: 10 }),
      start: () => Promise.reject(new RangeError('port in use')),
      process: proc as unknown as ProcessPort,
    });
    expect(stderr).toHaveBeenCalledWith('RangeError: port in use');
    expect(proc.exits).toEqual([1]);
  });

  it('logs an unhandled rejection and keeps running', async () => {
    const { proc, lines, run } = harness();
    await run();
    proc.emit('unhandledRejection', new Error('lost'));
    expect(lines).toEqual([
      'error: unhandled promise rejection (the process keeps running): Error: lost',
    ]);
    expect(proc.exits).toEqual([]);
  });

  it('builds its log from the config', async () => {
    const proc = new FakeProcess();
    const lines: string[] = [];
    await runMain({
      config: () => ({ shutdownTimeoutMs: 10, name: 'x' }),
      start: async () => ({ close: async () => undefined }),
      log: (config) => ({ log: (m) => lines.push(`${config.name}: ${m}`), error: () => undefined }),
      process: proc as unknown as ProcessPort,
    });
    proc.emit('SIGINT');
    await settle();
    expect(lines).toEqual(['x: SIGINT: shutting down']);
  });
});

describe('closeOnce', () => {
  it('closes on the first call and gives every call the same promise', async () => {
    const close = jest.fn(async () => undefined);
    const once = closeOnce(close);
    const first = once();
    expect(once()).toBe(first);
    await first;
    expect(close).toHaveBeenCalledTimes(1);
  });
});

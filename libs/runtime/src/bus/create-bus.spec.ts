import { InMemoryBus } from '@anvil/bus';
import { createBus, holdBus, type BusConfig } from './create-bus';

const memory: BusConfig = { kind: 'memory', kafkaBrokers: [], kafkaClientId: 'anvil-test' };

describe('createBus', () => {
  it('gives the in-memory bus by default', async () => {
    const bus = await createBus(memory);
    expect(bus).toBeInstanceOf(InMemoryBus);
    await bus.close();
  });

  it('builds a KafkaBus from the config without connecting', async () => {
    const bus = await createBus({ ...memory, kind: 'kafka', kafkaBrokers: ['127.0.0.1:1'] });
    expect(bus.constructor.name).toBe('KafkaBus');
    expect(
      (bus as unknown as { config: { brokers: string[]; clientId: string } }).config,
    ).toMatchObject({ brokers: ['127.0.0.1:1'], clientId: 'anvil-test' });
    await bus.close();
  });
});

describe('holdBus', () => {
  it('closes a bus it created on release, and leaves a given one open', async () => {
    const created = await holdBus(undefined, memory);
    await created.release();
    await expect(created.bus.publish('t', 'k', [])).rejects.toThrow(/closed/);

    const given = new InMemoryBus();
    const held = await holdBus(given, memory);
    expect(held.bus).toBe(given);
    await held.release();
    await expect(given.publish('t', 'k', [])).resolves.toBeUndefined();
    await given.close();
  });
});

import { InMemoryBus } from '@anvil/bus';
import { createBus } from './create-bus';

const memory = { kind: 'memory', kafkaBrokers: [], kafkaClientId: 'anvil-test' } as const;

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

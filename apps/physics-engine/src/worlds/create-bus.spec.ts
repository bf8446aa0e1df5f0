import { InMemoryBus } from '@anvil/bus';
import { loadPhysicsConfig } from '../config/physics-config';
import { createBus } from './create-bus';

const ENGINE_TOKEN = 'create-bus-test-engine-token';

describe('createBus', () => {
  it('gives the in-memory bus by default', async () => {
    const bus = await createBus(loadPhysicsConfig({ ENGINE_TOKEN }).bus);
    expect(bus).toBeInstanceOf(InMemoryBus);
    await bus.close();
  });
});

describe('createBus with BUS=kafka', () => {
  it('builds a KafkaBus from the config without connecting', async () => {
    const config = loadPhysicsConfig({
      ENGINE_TOKEN,
      BUS: 'kafka',
      KAFKA_BROKERS: '127.0.0.1:1',
    }).bus;
    const bus = await createBus(config);
    expect(bus.constructor.name).toBe('KafkaBus');
    expect(
      (bus as unknown as { config: { brokers: string[]; clientId: string } }).config,
    ).toMatchObject({
      brokers: ['127.0.0.1:1'],
      clientId: 'anvil-physics-engine',
    });
    await bus.close();
  });
});

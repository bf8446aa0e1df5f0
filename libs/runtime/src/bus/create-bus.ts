import { InMemoryBus, type EventBus } from '@anvil/bus';
import type { KafkaBus as KafkaBusClass } from '@anvil/bus/kafka';

/** Which bus an app uses (`BUS`, `KAFKA_*`, `BUS_TOPIC_PREFIX`; see `busEnv`). */
export interface BusConfig {
  kind: 'memory' | 'kafka';
  kafkaBrokers: string[];
  kafkaClientId: string;
  /** Prefix of the world topics; the publishers and subscribers apply it, not the bus. */
  topicPrefix?: string;
}

/** The Kafka implementation's entry point (see createBus). */
const KAFKA_ENTRY_POINT = '@anvil/bus/kafka';

/** The bus the config asks for: in memory (default) or Kafka. */
export async function createBus(config: BusConfig): Promise<EventBus> {
  if (config.kind === 'memory') return new InMemoryBus();
  // Required only when BUS=kafka, so the default path (and every unit test) never loads kafkajs.
  // Nx's lazy-load rule (a bundle-splitting concern) refuses `import()` of a library that is
  // also imported statically; a Node process deferring kafkajs is the intended use, hence a
  // plain require of a named entry point.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KafkaBus } = require(KAFKA_ENTRY_POINT) as { KafkaBus: typeof KafkaBusClass };
  return new KafkaBus({ brokers: config.kafkaBrokers, clientId: config.kafkaClientId });
}

/** A bus and how to let go of it. */
export interface HeldBus {
  bus: EventBus;
  /** Closes the bus if `holdBus` created it; a given (shared) bus is left open. */
  release(): Promise<void>;
}

/** The bus given (shared with other apps in embedded mode) or a new one from the config. */
export async function holdBus(given: EventBus | undefined, config: BusConfig): Promise<HeldBus> {
  if (given) return { bus: given, release: async () => undefined };
  const bus = await createBus(config);
  return { bus, release: () => bus.close() };
}

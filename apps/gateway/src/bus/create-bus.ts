import { InMemoryBus, type EventBus } from '@anvil/bus';
import type { GatewayConfig } from '../config/gateway-config';

/** The Kafka entry point, loaded only when BUS=kafka so the default path never loads kafkajs. */
const KAFKA_ENTRY = '@anvil/bus/kafka';

/** The bus the config asks for: in memory (default) or Kafka. */
export async function createBus(config: GatewayConfig['bus']): Promise<EventBus> {
  if (config.kind === 'memory') return new InMemoryBus();
  const kafka = (await import(KAFKA_ENTRY)) as {
    KafkaBus: new (options: { brokers: string[]; clientId: string; logLevel?: string }) => EventBus;
  };
  return new kafka.KafkaBus({ brokers: config.kafkaBrokers, clientId: config.kafkaClientId });
}

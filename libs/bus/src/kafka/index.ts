// @anvil/bus/kafka: the Kafka implementation of EventBus (the only place in Anvil that imports kafkajs).
export { KafkaBus } from './kafka-bus';
export {
  parseBrokers,
  resolveKafkaBusConfig,
  type BusLogEntry,
  type BusLogLevel,
  type BusLogger,
  type KafkaBusConfig,
  type ResolvedKafkaBusConfig,
} from './kafka-config';
export { KafkaSubscription } from './kafka-subscription';
export { fixKafkajsRequestQueue } from './kafkajs-request-queue';

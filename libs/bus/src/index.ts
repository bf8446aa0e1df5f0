// @anvil/bus: the EventBus interface, the CloudEvents envelope, the platform's event types and
// topics, and the in-memory bus. Kafka lives behind `@anvil/bus/kafka`, so importing this entry
// point never loads kafkajs.
export type * from './event-bus';
export {
  BusClosedError,
  BusTimeoutError,
  InvalidBusArgumentError,
  InvalidEventError,
} from './errors';
export {
  MAX_EVENT_BYTES,
  createCloudEvent,
  deterministicEventId,
  parseCloudEvent,
  validateCloudEvent,
  type CloudEventInit,
  type ParseOptions,
  type ValidateOptions,
} from './cloud-event';
export { validateEventData } from './event-data';
export {
  EVENT_TYPES,
  GAME_STATE_MAX_BYTES,
  GAME_STATE_MAX_DEPTH,
  type BodyDelta,
  type GameStateData,
  type CommandRejectedData,
  type CommandsAppliedData,
  type LoggedIntent,
  type EventDataByType,
  type EventType,
  type PhysicsDeltaData,
  type PlayerJoinedData,
  type PlayerInteractedData,
  type PlayerLeftData,
} from './events';
export {
  TOPICS,
  assertTopicName,
  topicKindForEventType,
  worldTopic,
  type WorldTopicKind,
} from './topics';
export { murmur2, partitionForKey } from './partitioner';
export {
  DEFAULT_RETENTION_BYTES,
  DEFAULT_RETENTION_RECORDS,
  InMemoryBroker,
} from './in-memory/broker';
export { InMemoryBus, type InMemoryBusOptions } from './in-memory/in-memory-bus';
export { EpochFence } from './fencing/epoch-fence';
export { startConsumerSpan } from './tracing/consumer-span';

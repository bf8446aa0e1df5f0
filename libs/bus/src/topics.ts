// Topic names. Every world topic is keyed by world id, so one world's events stay in order.
import { InvalidBusArgumentError } from './errors';
import { EVENT_TYPES } from './events';

/**
 * The world topics, without prefix: physics deltas, game (interaction) events, and the command
 * log (every batch of intents the physics engine applied).
 */
export const TOPICS = {
  physics: 'anvil.world.physics',
  interaction: 'anvil.world.interaction',
  commands: 'anvil.world.commands',
} as const;

/** `physics`, `interaction` or `commands`. */
export type WorldTopicKind = keyof typeof TOPICS;

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * The name of a world topic, optionally prefixed for a shared cluster (`worldTopic('physics',
 * 'staging')` is `staging.anvil.world.physics`). Throws `InvalidBusArgumentError` for a prefix
 * Kafka would refuse.
 */
export function worldTopic(kind: WorldTopicKind, prefix?: string): string {
  const name = prefix ? `${prefix}.${TOPICS[kind]}` : TOPICS[kind];
  assertTopicName(name);
  return name;
}

/**
 * The world topic an event type belongs on: the command log's entries -> commands, other
 * `dev.anvil.physics.*` -> physics, the rest -> interaction.
 */
export function topicKindForEventType(type: string): WorldTopicKind {
  if (type === EVENT_TYPES.commandsApplied) return 'commands';
  return type.startsWith('dev.anvil.physics.') ? 'physics' : 'interaction';
}

/** Throws `InvalidBusArgumentError` unless `topic` is a legal Kafka topic name. */
export function assertTopicName(topic: string): void {
  if (typeof topic !== 'string' || !TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
    throw new InvalidBusArgumentError(
      `invalid topic name ${JSON.stringify(topic)}: use 1-249 characters of a-z, A-Z, 0-9, '.', '_' and '-'`,
    );
  }
}

import { InvalidBusArgumentError } from './errors';
import { EVENT_TYPES } from './events';
import { TOPICS, assertTopicName, topicKindForEventType, worldTopic } from './topics';

describe('topics', () => {
  it('names the world topics, with an optional prefix', () => {
    expect(worldTopic('physics')).toBe('anvil.world.physics');
    expect(worldTopic('interaction')).toBe(TOPICS.interaction);
    expect(worldTopic('physics', 'staging')).toBe('staging.anvil.world.physics');
  });

  it('refuses a prefix Kafka would refuse', () => {
    expect(() => worldTopic('physics', 'bad prefix')).toThrow(InvalidBusArgumentError);
    expect(() => assertTopicName('x'.repeat(250))).toThrow(/invalid topic name/);
    expect(() => assertTopicName('..')).toThrow(InvalidBusArgumentError);
  });

  it('routes each event type to its topic', () => {
    expect(topicKindForEventType(EVENT_TYPES.physicsDelta)).toBe('physics');
    expect(topicKindForEventType(EVENT_TYPES.playerJoined)).toBe('interaction');
    expect(topicKindForEventType(EVENT_TYPES.commandRejected)).toBe('interaction');
    expect(topicKindForEventType(EVENT_TYPES.commandsApplied)).toBe('commands');
    expect(worldTopic('commands', 'staging')).toBe('staging.anvil.world.commands');
  });
});

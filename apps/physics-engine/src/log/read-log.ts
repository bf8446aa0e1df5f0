import { EVENT_TYPES, worldTopic, type EventBus } from '@anvil/bus';
import { entryFromEvent, type CommandLogEntry } from './command-log-entry';

/**
 * A world's command log as the bus holds it now, in log order (what `entriesAfter` sorts out);
 * undefined when the bus cannot read back.
 */
export async function readWorldLog(
  bus: EventBus,
  worldId: string,
  topicPrefix?: string,
): Promise<CommandLogEntry[] | undefined> {
  if (!bus.readKey) return undefined;
  const events = await bus.readKey(worldTopic('commands', topicPrefix), worldId);
  return events
    .filter((event) => event.type === EVENT_TYPES.commandsApplied && event.subject === worldId)
    .map(entryFromEvent)
    .filter((entry) => entry.worldId === worldId);
}

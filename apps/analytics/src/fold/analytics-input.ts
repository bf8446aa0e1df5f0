import { createHash } from 'node:crypto';
import {
  EVENT_TYPES,
  validateEventData,
  type BusMessage,
  type CommandsAppliedData,
  type PlayerJoinedData,
} from '@anvil/bus';
import { WORLD_ID_PATTERN } from '@anvil/capability-model';

/** Where records go whose key is not a world id: their world cannot be told. */
export const UNATTRIBUTED = '*';

/** Longest id or player id kept as is (storage keys); a longer event id is kept as its hash. */
const MAX_TEXT = 256;

interface Base {
  worldId: string;
  /** What makes a redelivery recognisable: the event id (or the record's position). */
  eventId: string;
}

/** One bus record as the figures see it: the fold's input. Times are Unix ms of event time. */
export type AnalyticsInput =
  | (Base & { kind: 'joined' | 'left'; at: number; playerId: string })
  | (Base & { kind: 'commands'; at: number; intents: number })
  | (Base & { kind: 'other'; at: number })
  | (Base & { kind: 'malformed'; reason: string });

/** A record the bus skipped before any handler saw it (not JSON, not a valid event). */
export interface SkippedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string;
}

/** A world id if `key` is one, else UNATTRIBUTED. */
export const worldOfKey = (key: string): string =>
  WORLD_ID_PATTERN.test(key) ? key : UNATTRIBUTED;

/** The input of a record the bus skipped: malformed, recognised again by its position. */
export function skippedInput(record: SkippedRecord): AnalyticsInput {
  return {
    kind: 'malformed',
    worldId: worldOfKey(record.key),
    eventId: `record:${record.topic}:${record.partition}:${record.offset}`,
    reason: 'not a valid Anvil CloudEvent',
  };
}

/**
 * Classifies one delivered event. Never throws: whatever the figures cannot use (a key that is
 * not the event's world, data that does not fit its type, ids storage cannot key by) is
 * `malformed`, counted and skipped.
 */
export function inputOf(message: BusMessage): AnalyticsInput {
  const { event, key } = message;
  const eventId = storable(event?.id) ? event.id : `sha256:${hash(String(event?.id))}`;
  const malformed = (reason: string): AnalyticsInput => ({
    kind: 'malformed',
    worldId: worldOfKey(String(key)),
    eventId,
    reason,
  });
  if (!event || event.subject !== key || !WORLD_ID_PATTERN.test(key))
    return malformed('the record key and the event subject must be one valid world id');
  if (eventId !== event.id) return malformed('the event id is too long or not storable');
  const at = Date.parse(event.time);
  if (!Number.isFinite(at)) return malformed('the event time is not a timestamp');
  const worldId = key;
  try {
    validateEventData(event.type, event.data);
  } catch (error) {
    return malformed(error instanceof Error ? error.message : String(error));
  }
  switch (event.type) {
    case EVENT_TYPES.playerJoined:
    case EVENT_TYPES.playerLeft: {
      const data = event.data as PlayerJoinedData;
      if (data.worldId !== worldId) return malformed('data.worldId is not the event subject');
      if (!storable(data.playerId)) return malformed('data.playerId is too long or not storable');
      const kind = event.type === EVENT_TYPES.playerJoined ? 'joined' : 'left';
      return { kind, worldId, eventId, at, playerId: data.playerId };
    }
    case EVENT_TYPES.commandsApplied: {
      const data = event.data as CommandsAppliedData;
      if (data.worldId !== worldId) return malformed('data.worldId is not the event subject');
      return { kind: 'commands', worldId, eventId, at, intents: data.intents.length };
    }
    default:
      return { kind: 'other', worldId, eventId, at };
  }
}

/** A string storage can key by: non-blank, at most MAX_TEXT characters, no NUL. */
function storable(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.trim() !== '' &&
    value.length <= MAX_TEXT &&
    !value.includes('\u0000')
  );
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

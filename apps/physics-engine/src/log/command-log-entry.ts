import {
  EVENT_TYPES,
  deterministicEventId,
  type CloudEvent,
  type CommandsAppliedData,
  type LoggedIntent,
} from '@anvil/bus';
import type { PhysicsIntent } from '@anvil/engine-contract';
import { CommandLogError } from './command-log-error';

/**
 * One entry of a world's command log: the intents the physics engine applied at the boundary of
 * `tick` (before the step that completed it), in apply order. `seq` numbers a world's entries
 * 1, 2, 3, … without gaps; `epoch` is the writer's (docs/engine-contract.md, "The command log").
 */
export interface CommandLogEntry {
  worldId: string;
  /** The apply tick. */
  tick: number;
  seq: number;
  epoch: number;
  /**
   * None: an epoch marker. A replica that takes a world over writes one (at the tick it resumes
   * from) before anything else, so any reader knows from which seq the older epoch's entries
   * are superseded, even before the new owner applied a command.
   */
  intents: PhysicsIntent[];
  /**
   * The intents' idempotency keys, parallel to `intents` ('' for none); absent when none has
   * one (and in entries written before keys existed). Replay does not need them to reach the
   * state; a world restored from the log learns them again (docs/engine-contract.md,
   * "Idempotency keys").
   */
  keys?: string[];
}

/** CloudEvents `source` of the physics engine's log entries. */
export const COMMAND_LOG_SOURCE = '/anvil/physics-engine';

/** The CloudEvent of an entry: id `<type>/<world>/<seq>/e<epoch>`, subject (and key) the world. */
export function entryToEvent(entry: CommandLogEntry, now: Date): CloudEvent<CommandsAppliedData> {
  const { worldId, tick, seq, epoch } = entry;
  const intents = entry.intents as unknown as LoggedIntent[];
  const data: CommandsAppliedData = { worldId, tick, seq, epoch, intents };
  if (entry.keys?.some((key) => key !== '')) data.keys = entry.keys;
  return {
    specversion: '1.0',
    // Deterministic per (world, seq, epoch): the same entry written twice has the same id.
    id: deterministicEventId(EVENT_TYPES.commandsApplied, worldId, seq, `e${epoch}`),
    source: COMMAND_LOG_SOURCE,
    type: EVENT_TYPES.commandsApplied,
    subject: worldId,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    tick,
    data,
  };
}

/**
 * The entry an event carries. The bus validated its envelope and data shape (parseCloudEvent);
 * the intents themselves are checked by the simulation when replayed.
 */
export function entryFromEvent(event: CloudEvent): CommandLogEntry {
  if (event.type !== EVENT_TYPES.commandsApplied) {
    throw new CommandLogError(
      'LOG_MALFORMED',
      `event ${event.id} is a ${event.type}, not a log entry`,
    );
  }
  const data = event.data as CommandsAppliedData;
  const entry: CommandLogEntry = {
    worldId: data.worldId,
    tick: data.tick,
    seq: data.seq,
    epoch: data.epoch,
    intents: data.intents as unknown as PhysicsIntent[],
  };
  if (data.keys) entry.keys = data.keys;
  return entry;
}

import {
  EVENT_TYPES,
  createCloudEvent,
  type CloudEvent,
  type CommandsAppliedData,
  type PlayerJoinedData,
  type PlayerLeftData,
} from '@anvil/bus';

/** A small deterministic random source (tests must give the same stream every run). */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

export interface StreamOptions {
  /** Event time of the first event, Unix ms. */
  start: number;
  /** Events of the world. */
  events: number;
  seed: number;
  /** Players that come and go. */
  players?: number;
}

/**
 * One world's events as the engines publish them: players joining and leaving (sometimes a
 * repeated join or an unmatched leave), command-log entries with seq 1, 2, … and, halfway, a
 * takeover (an epoch marker, then the new epoch repeating the seqs of the superseded tail).
 * `topic` says where each goes: `interaction` or `commands`.
 */
export function worldStream(
  worldId: string,
  options: StreamOptions,
): Array<{ topic: 'interaction' | 'commands'; event: CloudEvent }> {
  const next = random(options.seed);
  const players = Array.from({ length: options.players ?? 6 }, (_, i) => `p${i}`);
  const out: Array<{ topic: 'interaction' | 'commands'; event: CloudEvent }> = [];
  let time = options.start;
  let tick = 0;
  let seq = 0;
  let epoch = 0;
  for (let i = 0; i < options.events; i++) {
    time += Math.floor(next() * 2_500);
    tick += 1 + Math.floor(next() * 60);
    const common = {
      source: '/anvil/interaction-engine',
      subject: worldId,
      tick,
      time: new Date(time),
    };
    const roll = next();
    const player = players[Math.floor(next() * players.length)];
    if (i === Math.floor(options.events / 2) && seq > 3) {
      // A takeover: the new owner's marker resumes three entries back.
      epoch += 1;
      seq -= 3;
      out.push(commandEntry(worldId, { tick, seq: ++seq, epoch, intents: [] }, time));
    } else if (roll < 0.3) {
      const data: PlayerJoinedData = { worldId, playerId: player, bodyId: `p:${player}` };
      out.push({
        topic: 'interaction',
        event: createCloudEvent({
          ...common,
          type: EVENT_TYPES.playerJoined,
          data,
          id: `${worldId}/j/${i}`,
        }),
      });
    } else if (roll < 0.55) {
      const reason = next() < 0.5 ? 'left' : 'disconnected';
      const data: PlayerLeftData = { worldId, playerId: player, bodyId: `p:${player}`, reason };
      out.push({
        topic: 'interaction',
        event: createCloudEvent({
          ...common,
          type: EVENT_TYPES.playerLeft,
          data,
          id: `${worldId}/l/${i}`,
        }),
      });
    } else {
      const intents = Array.from({ length: 1 + Math.floor(next() * 4) }, () => ({
        type: 'setVelocity',
        bodyId: `p:${player}`,
        vxMmS: Math.floor(next() * 4_000),
      }));
      out.push(commandEntry(worldId, { tick, seq: ++seq, epoch, intents }, time));
    }
  }
  return out;
}

function commandEntry(
  worldId: string,
  entry: Omit<CommandsAppliedData, 'worldId'>,
  time: number,
): { topic: 'commands'; event: CloudEvent } {
  const data: CommandsAppliedData = { worldId, ...entry };
  return {
    topic: 'commands',
    event: createCloudEvent({
      type: EVENT_TYPES.commandsApplied,
      source: '/anvil/physics-engine',
      subject: worldId,
      tick: entry.tick,
      time: new Date(time),
      data,
      id: `${EVENT_TYPES.commandsApplied}/${worldId}/${entry.seq}/e${entry.epoch}`,
    }),
  };
}

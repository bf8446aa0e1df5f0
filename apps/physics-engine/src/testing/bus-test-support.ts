import { InMemoryBus, worldTopic, type CloudEvent, type EventBus } from '@anvil/bus';
import { entryFromEvent, type CommandLogEntry } from '../log/command-log-entry';

/** Test helpers around the in-memory bus for the command log. */

/** The in-memory bus behind a switch: while `down`, every publish is refused. */
export function flakyBus(inner = new InMemoryBus()) {
  const state = { down: false, attempts: 0 };
  const bus: EventBus = {
    publish: async (topic: string, key: string, events: CloudEvent[]) => {
      state.attempts++;
      if (state.down) throw new Error('broker down');
      return inner.publish(topic, key, events);
    },
    subscribe: (options, handler) => inner.subscribe(options, handler),
    close: () => inner.close(),
  };
  return { bus, inner, state };
}

/** Every entry of the commands topic, in log order. */
export function readLog(bus: InMemoryBus, prefix?: string): CommandLogEntry[] {
  const log = bus.broker.topic(worldTopic('commands', prefix));
  const entries: CommandLogEntry[] = [];
  for (let p = 0; p < log.partitionCount; p++) {
    for (let o = log.startOffset(p); o < log.endOffset(p); o++) {
      entries.push(entryFromEvent(JSON.parse(log.read(p, o)!.value) as CloudEvent));
    }
  }
  return entries;
}

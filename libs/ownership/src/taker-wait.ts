import type { ReplicaRepository } from '@anvil/storage';
import { systemTimers, type Timers } from '@anvil/runtime';
import { reads, type ReplicaLoad } from './takeover-plan';

/** How a draining replica's wait for a replica that can take its worlds ended. */
export type TakerWait =
  /** Other live replicas read this one's state format (`readers`, as reported): hand over now. */
  | { outcome: 'reader'; replicaId: string; readers: ReplicaLoad[] }
  /** No other replica is live (a lone replica restarting): waiting would only delay its exit. */
  | { outcome: 'alone' }
  /** Others are live but none reads the format, and none came before the deadline. */
  | { outcome: 'timeout'; newest: number }
  /** The reports could not be read: hand over now. */
  | { outcome: 'unknown'; error: unknown };

export interface TakerWaitOptions {
  replicas: Pick<ReplicaRepository, 'live'>;
  role: string;
  /** The draining replica (its own report, if still there, does not count). */
  replicaId: string;
  /** The state format its worlds are written in. */
  stateFormat: number;
  /** How often the reports are read again. */
  everyMs: number;
  /** How long it waits at most. */
  timeoutMs: number;
  /** Told once, when it starts waiting: the newest format the other live replicas read. */
  onWait?: (newest: number) => void;
  timers?: Timers;
}

/**
 * Waits, while a replica drains, until another live replica can restore its worlds. A world
 * handed over that no live replica reads (they are all of an older build: a rollback, an upgrade
 * that stopped halfway) waits for a reader without anyone playing it; kept here, it goes on being
 * played until one reports or the deadline comes. A lone replica does not wait.
 */
export async function awaitTaker(options: TakerWaitOptions): Promise<TakerWait> {
  const { replicas, role, replicaId, stateFormat, everyMs } = options;
  const timers = options.timers ?? systemTimers;
  const rounds = Math.max(0, Math.ceil(options.timeoutMs / everyMs));
  for (let round = 0; ; round++) {
    let others;
    try {
      others = (await replicas.live(role)).filter((r) => r.replicaId !== replicaId);
    } catch (error) {
      return { outcome: 'unknown', error };
    }
    if (others.length === 0) return { outcome: 'alone' };
    const readers = others.filter((r) => reads(r, stateFormat));
    if (readers.length > 0) return { outcome: 'reader', replicaId: readers[0].replicaId, readers };
    const newest = Math.max(...others.map((r) => r.stateFormat));
    if (round >= rounds) return { outcome: 'timeout', newest };
    if (round === 0) options.onWait?.(newest);
    await new Promise<void>((resolve) => timers.setTimeout(resolve, everyMs));
  }
}

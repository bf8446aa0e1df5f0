import type { CachedWorld } from '../mapping/cluster-cache';
import type { Log } from './cluster-writer';
import { EventRecorder } from './event-recorder';
import type { WorldEvent } from './transition-events';

const world = { metadata: { name: 'w', namespace: 'ns' } } as CachedWorld;
const event: WorldEvent = { type: 'Normal', reason: 'Resolved', message: 'ok' };

function recordingLog() {
  const warnings: string[] = [];
  const log = {
    debug() {},
    info() {},
    warn: (_f: object, m: string) => warnings.push(m),
    error() {},
    child: () => log,
  } as Log;
  return { log, warnings };
}

describe('EventRecorder', () => {
  it('records in the background and counts what was written', async () => {
    const written: string[] = [];
    let recorded = 0;
    const recorder = new EventRecorder(
      { recordEvent: async (_w, e) => void written.push(e.reason) },
      recordingLog().log,
      () => recorded++,
    );
    recorder.record(world, event);
    expect(recorder.inFlight).toBe(1);
    await recorder.flush();
    expect(written).toEqual(['Resolved']);
    expect(recorded).toBe(1);
    expect(recorder.inFlight).toBe(0);
  });

  it('logs a failed Event and moves on', async () => {
    const { log, warnings } = recordingLog();
    const recorder = new EventRecorder(
      { recordEvent: async () => Promise.reject(new Error('forbidden')) },
      log,
    );
    recorder.record(world, event);
    await recorder.flush();
    expect(warnings).toEqual(['could not record an Event']);
  });

  it('drops Events beyond the in-flight limit instead of buffering without bound', async () => {
    const { log, warnings } = recordingLog();
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const recorder = new EventRecorder({ recordEvent: () => blocked }, log, undefined, 2);
    for (let i = 0; i < 5; i++) recorder.record(world, event);
    expect(recorder.inFlight).toBe(2);
    expect(warnings).toHaveLength(3);
    release();
    await recorder.flush();
  });
});

import type { CommandLogEntry } from './command-log-entry';
import {
  LOG_KEYS_WINDOW_MS,
  LOG_READ_MARGIN_MS,
  logReadBound,
  reachesCheckpoint,
} from './read-log';

const entry = (seq: number, epoch = 0): CommandLogEntry => ({
  worldId: 'w',
  tick: seq,
  seq,
  epoch,
  intents: [],
});

describe('the bound of a restore’s log read', () => {
  it('starts the margin before the checkpoint was saved; from the start without one, or when it includes no entry', () => {
    const createdAt = new Date('2026-12-01T00:00:00Z');
    expect(logReadBound({ createdAt, logSeq: 7 })).toBe(createdAt.getTime() - LOG_READ_MARGIN_MS);
    expect(logReadBound({ createdAt, logSeq: 0 })).toBeUndefined();
    expect(logReadBound(null)).toBeUndefined();
  });

  it('starts the keys’ window before the checkpoint’s last entry was appended, when the checkpoint says when', () => {
    const createdAt = new Date('2026-12-01T00:00:00Z');
    const logAppendedAt = new Date('2026-11-30T23:55:00Z'); // an idle world: its last entry is old
    expect(logReadBound({ createdAt, logSeq: 7, logAppendedAt })).toBe(
      logAppendedAt.getTime() - LOG_KEYS_WINDOW_MS,
    );
    expect(logReadBound({ createdAt, logSeq: 7, logAppendedAt: null })).toBe(
      createdAt.getTime() - LOG_READ_MARGIN_MS,
    );
    expect(logReadBound({ createdAt, logSeq: 0, logAppendedAt })).toBeUndefined();
  });

  it('reaches back to the checkpoint when it holds the checkpoint’s entry of the checkpoint’s epoch', () => {
    const checkpoint = { logSeq: 3, epoch: 2 };
    expect(reachesCheckpoint(checkpoint, [entry(3, 2), entry(4, 2)])).toBe(true);
    expect(reachesCheckpoint(checkpoint, [entry(4, 2), entry(5, 2)])).toBe(false);
    // A fenced writer's entry 3 is not the checkpoint's.
    expect(reachesCheckpoint(checkpoint, [entry(3, 1), entry(4, 2)])).toBe(false);
    expect(reachesCheckpoint({ logSeq: 1 }, [entry(1)])).toBe(true);
    expect(reachesCheckpoint(checkpoint, [])).toBe(false);
  });
});

import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the sustained rate', () => {
    const time = { now: 0 };
    const bucket = new TokenBucket(10, 3, () => time.now);
    expect([bucket.take(), bucket.take(), bucket.take()].every((r) => r.ok)).toBe(true);
    expect(bucket.take()).toEqual({ ok: false, retryAfterMs: 100 });
    time.now += 50;
    expect(bucket.take()).toEqual({ ok: false, retryAfterMs: 50 });
    time.now += 50;
    expect(bucket.take()).toEqual({ ok: true });
  });

  it('never holds more than the burst', () => {
    const time = { now: 0 };
    const bucket = new TokenBucket(100, 2, () => time.now);
    time.now += 60_000;
    expect(bucket.take().ok).toBe(true);
    expect(bucket.take().ok).toBe(true);
    expect(bucket.take().ok).toBe(false);
  });
});

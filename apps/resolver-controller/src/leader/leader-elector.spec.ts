import { ManualClock } from '../testing/manual-clock';
import { LeaseConflictError, type LeaseClient } from './lease-client';
import { decideLease, nextRecord, observeLease, type LeaseRecord } from './lease-decision';
import { LeaderElector } from './leader-elector';

const record = (
  holderIdentity: string,
  resourceVersion = '1',
  leaseDurationSeconds = 10,
): LeaseRecord => ({
  holderIdentity,
  leaseDurationSeconds,
  renewTime: `t${resourceVersion}`,
  leaseTransitions: 0,
  resourceVersion,
});

describe('decideLease', () => {
  it.each<[string, string, Parameters<typeof decideLease>[0], number]>([
    ['no lease yet', 'create', undefined, 0],
    ['we hold it', 'renew', { record: record('me'), observedAt: 0 }, 60_000],
    ['released', 'acquire', { record: record(''), observedAt: 0 }, 0],
    ['held by another, fresh', 'wait', { record: record('other'), observedAt: 0 }, 9_999],
    [
      'held by another, not renewed for its duration',
      'acquire',
      { record: record('other'), observedAt: 0 },
      10_000,
    ],
  ])('%s -> %s', (_case, action, observation, now) => {
    expect(decideLease(observation, 'me', now).action).toBe(action);
  });

  it('measures expiry from when we saw the record change, not from its renewTime', () => {
    const first = observeLease(undefined, record('other', '1'), 1_000);
    expect(observeLease(first, record('other', '1'), 50_000)).toBe(first);
    const renewed = observeLease(first, record('other', '2'), 50_000);
    expect(renewed.observedAt).toBe(50_000);
    expect(decideLease(renewed, 'me', 55_000)).toEqual({
      action: 'wait',
      holder: 'other',
      expiresInMs: 5_000,
    });
  });

  it('counts transitions and releases with an empty holder', () => {
    const current = { ...record('other'), leaseTransitions: 3 };
    expect(nextRecord(current, 'acquire', 'me', 15, 'now')).toMatchObject({
      holderIdentity: 'me',
      leaseTransitions: 4,
      acquireTime: 'now',
      leaseDurationSeconds: 15,
    });
    expect(
      nextRecord(
        { ...current, holderIdentity: 'me', acquireTime: 'then' },
        'renew',
        'me',
        15,
        'now',
      ),
    ).toMatchObject({ acquireTime: 'then', renewTime: 'now', leaseTransitions: 3 });
    expect(nextRecord(current, 'release', 'me', 15, 'now')).toMatchObject({
      holderIdentity: '',
      leaseDurationSeconds: 1,
    });
  });
});

/** An in-memory Lease with resourceVersion checks, shared by several electors. */
class MemoryLeases implements LeaseClient {
  lease?: LeaseRecord;
  failing = false;
  private version = 0;

  async get(): Promise<LeaseRecord | undefined> {
    if (this.failing) throw new Error('unavailable');
    return this.lease && { ...this.lease };
  }
  async create(
    _ns: string,
    _n: string,
    r: Omit<LeaseRecord, 'resourceVersion'>,
  ): Promise<LeaseRecord> {
    if (this.failing) throw new Error('unavailable');
    if (this.lease) throw new LeaseConflictError('exists');
    this.lease = { ...r, resourceVersion: String(++this.version) };
    return { ...this.lease };
  }
  async update(
    _ns: string,
    _n: string,
    rv: string,
    r: Omit<LeaseRecord, 'resourceVersion'>,
  ): Promise<LeaseRecord> {
    if (this.failing) throw new Error('unavailable');
    if (this.lease?.resourceVersion !== rv) throw new LeaseConflictError('conflict');
    this.lease = { ...r, resourceVersion: String(++this.version) };
    return { ...this.lease };
  }
}

function elector(leases: LeaseClient, identity: string, clock: ManualClock, log: string[]) {
  return new LeaderElector(
    leases,
    {
      namespace: 'ns',
      name: 'lease',
      identity,
      leaseDurationSeconds: 10,
      renewDeadlineMs: 6_000,
      retryPeriodMs: 2_000,
    },
    {
      onStartedLeading: () => log.push(`${identity} leads`),
      onStoppedLeading: () => log.push(`${identity} stops`),
    },
    undefined,
    clock,
    clock,
    () => 0,
  );
}

describe('LeaderElector', () => {
  it('lets one of two candidates lead; the other takes over once the leader stops renewing', async () => {
    const clock = new ManualClock();
    const leases = new MemoryLeases();
    const log: string[] = [];
    const a = elector(leases, 'a', clock, log);
    const b = elector(leases, 'b', clock, log);
    a.start();
    await clock.advance(0);
    b.start();
    await clock.advance(20_000);
    expect(log).toEqual(['a leads']);
    expect(b.isLeader).toBe(false);
    // a dies without releasing (SIGKILL): simulate by stopping its loop without release
    (a as unknown as { stopped: boolean }).stopped = true;
    await clock.advance(9_000);
    expect(b.isLeader).toBe(false);
    await clock.advance(4_000);
    expect(b.isLeader).toBe(true);
    expect(leases.lease?.holderIdentity).toBe('b');
    expect(leases.lease?.leaseTransitions).toBe(1);
    await b.stop();
  });

  it('releases the lease on stop so the standby takes over at once', async () => {
    const clock = new ManualClock();
    const leases = new MemoryLeases();
    const log: string[] = [];
    const a = elector(leases, 'a', clock, log);
    const b = elector(leases, 'b', clock, log);
    a.start();
    await clock.advance(0);
    b.start();
    await clock.advance(4_000);
    await a.stop();
    expect(leases.lease?.holderIdentity).toBe('');
    await clock.advance(2_000);
    expect(log).toEqual(['a leads', 'a stops', 'b leads']);
    await b.stop();
  });

  it('stops leading when it cannot renew within the renew deadline', async () => {
    const clock = new ManualClock();
    const leases = new MemoryLeases();
    const log: string[] = [];
    const a = elector(leases, 'a', clock, log);
    a.start();
    await clock.advance(0);
    leases.failing = true;
    await clock.advance(4_000);
    expect(a.isLeader).toBe(true);
    await clock.advance(2_000);
    expect(log).toEqual(['a leads', 'a stops']);
    leases.failing = false;
    await clock.advance(2_000);
    expect(log).toEqual(['a leads', 'a stops', 'a leads']);
    await a.stop();
  });

  it('stops leading at once when another holder took the lease', async () => {
    const clock = new ManualClock();
    const leases = new MemoryLeases();
    const log: string[] = [];
    const a = elector(leases, 'a', clock, log);
    a.start();
    await clock.advance(0);
    leases.lease = {
      ...(leases.lease as LeaseRecord),
      holderIdentity: 'intruder',
      resourceVersion: '99',
    };
    await clock.advance(2_000);
    expect(log).toEqual(['a leads', 'a stops']);
    await a.stop();
    expect(leases.lease?.holderIdentity).toBe('intruder');
  });
});

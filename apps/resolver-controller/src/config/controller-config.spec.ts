import { ConfigError, loadControllerConfig } from './controller-config';

const base = { KUBECONFIG: '/tmp/kubeconfig' };

describe('loadControllerConfig', () => {
  it('fills defaults', () => {
    const config = loadControllerConfig({ ...base, POD_NAME: 'pod-a' });
    expect(config).toEqual({
      kube: { kubeconfig: '/tmp/kubeconfig' },
      namespace: undefined,
      concurrency: 8,
      maxConcurrentWrites: 20,
      leaderElection: {
        enabled: true,
        leaseName: 'anvil-resolver-controller',
        leaseNamespace: 'anvil-system',
        leaseDurationSeconds: 15,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2_000,
        identity: 'pod-a',
      },
      metrics: { host: '0.0.0.0', port: 8080 },
      logLevel: 'info',
      retry: { baseDelayMs: 100, maxDelayMs: 60_000 },
      shutdownTimeoutMs: 10_000,
      registry: undefined,
      placementSyncMs: 2_000,
      workloads: undefined,
    });
  });

  it('runs module workloads with MODULE_WORKLOADS', () => {
    expect(loadControllerConfig({ ...base, MODULE_WORKLOADS: 'true' }).workloads).toEqual({
      syncMs: 5_000,
    });
    expect(
      loadControllerConfig({ ...base, MODULE_WORKLOADS: '1', WORKLOAD_SYNC_MS: '250' }).workloads,
    ).toEqual({ syncMs: 250 });
    expect(() => loadControllerConfig({ ...base, MODULE_WORKLOADS: 'yes' })).toThrow(
      /MODULE_WORKLOADS/,
    );
    expect(() => loadControllerConfig({ ...base, WORKLOAD_SYNC_MS: '10' })).toThrow(
      /WORKLOAD_SYNC_MS/,
    );
  });

  it('publishes worlds to the registry at DATABASE_URL', () => {
    const url = 'postgresql://anvil:secret@db:5432/anvil';
    expect(loadControllerConfig({ ...base, DATABASE_URL: url }).registry).toEqual({
      url,
      migrate: true,
    });
    expect(
      loadControllerConfig({ ...base, DATABASE_URL: url, DATABASE_MIGRATE: 'false' }).registry,
    ).toEqual({ url, migrate: false });
    expect(() => loadControllerConfig({ ...base, DATABASE_URL: 'mysql://db/anvil' })).toThrow(
      /DATABASE_URL: must be a postgresql:\/\/ or pglite:\/\/ URL/,
    );
  });

  it('parses the environment', () => {
    const config = loadControllerConfig({
      ...base,
      NAMESPACE: 'team-a',
      CONCURRENCY: '16',
      MAX_CONCURRENT_WRITES: '4',
      LEASE_NAME: 'resolver',
      LEASE_NAMESPACE: 'team-a',
      LEASE_DURATION_SECONDS: '6',
      LEASE_RENEW_DEADLINE_SECONDS: '4',
      LEASE_RETRY_PERIOD_SECONDS: '0.5',
      METRICS_PORT: '0',
      LOG_LEVEL: 'debug',
      LEADER_ELECTION: 'false',
    });
    expect(config.namespace).toBe('team-a');
    expect(config.concurrency).toBe(16);
    expect(config.maxConcurrentWrites).toBe(4);
    expect(config.leaderElection).toMatchObject({
      enabled: false,
      leaseName: 'resolver',
      leaseDurationSeconds: 6,
      renewDeadlineMs: 4_000,
      retryPeriodMs: 500,
    });
    expect(config.metrics.port).toBe(0);
    expect(config.logLevel).toBe('debug');
  });

  it('uses the in-cluster config inside a pod, and an identity from the host when POD_NAME is unset', () => {
    const config = loadControllerConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1' });
    expect(config.kube).toEqual({ inCluster: true });
    expect(config.leaderElection.identity).toMatch(/_\d+$/);
  });

  it('treats empty variables as unset (NAMESPACE= watches all namespaces)', () => {
    expect(loadControllerConfig({ ...base, NAMESPACE: '', CONCURRENCY: '' })).toMatchObject({
      namespace: undefined,
      concurrency: 8,
    });
  });

  it.each([
    [{}, /KUBECONFIG: set KUBECONFIG, or run in a pod/],
    [{ ...base, CONCURRENCY: 'many' }, /CONCURRENCY/],
    [{ ...base, CONCURRENCY: '0' }, /CONCURRENCY/],
    [{ ...base, NAMESPACE: 'Not_A_Namespace' }, /NAMESPACE: must be a namespace name/],
    [{ ...base, METRICS_PORT: '70000' }, /METRICS_PORT/],
    [{ ...base, LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ ...base, LEADER_ELECTION: 'maybe' }, /LEADER_ELECTION/],
    [
      { ...base, LEASE_DURATION_SECONDS: '5', LEASE_RENEW_DEADLINE_SECONDS: '5' },
      /LEASE_RENEW_DEADLINE_SECONDS: must be less than LEASE_DURATION_SECONDS/,
    ],
    [{ ...base, LEASE_RETRY_PERIOD_SECONDS: '9' }, /LEASE_RETRY_PERIOD_SECONDS/],
    [{ ...base, RETRY_BASE_DELAY_MS: '500', RETRY_MAX_DELAY_MS: '100' }, /RETRY_MAX_DELAY_MS/],
  ])('refuses %j', (env, message) => {
    expect(() => loadControllerConfig(env)).toThrow(ConfigError);
    expect(() => loadControllerConfig(env)).toThrow(message);
  });

  it('names every bad variable at once', () => {
    expect(() => loadControllerConfig({ ...base, CONCURRENCY: 'x', METRICS_PORT: '-1' })).toThrow(
      /CONCURRENCY.*METRICS_PORT/,
    );
  });
});

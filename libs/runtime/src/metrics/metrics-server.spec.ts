import { MetricsServer } from './metrics-server';

describe('MetricsServer', () => {
  const registry = {
    contentType: 'text/plain; version=0.0.4',
    metrics: jest.fn(async () => '# HELP anvil_x x\nanvil_x 1\n'),
  };
  let server: MetricsServer;
  let base: string;

  beforeAll(async () => {
    server = new MetricsServer(registry);
    base = `http://127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
  });
  afterAll(() => server.close());

  it('serves the registry on GET /metrics', async () => {
    const response = await fetch(`${base}/metrics?x=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4');
    expect(await response.text()).toContain('anvil_x 1');
  });

  it('answers anything else with a code: 404, 405, and 500 when the registry fails', async () => {
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect(
      (await fetch(`${base}/metrics`, { method: 'POST', body: 'x'.repeat(100_000) })).status,
    ).toBe(405);
    registry.metrics.mockRejectedValueOnce(new Error('collect failed'));
    const failed = await fetch(`${base}/metrics`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain('collect failed');
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { repo, sourceFiles } from './repository-files';

const DASHBOARD = 'deploy/grafana/anvil-world-health.json';

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}

/** Every metric an app declares (`name: 'anvil_...'` of a prom-client metric). */
function declaredMetrics(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles().filter((f) => /^(apps|libs)\/.+\/src\/.+\.ts$/.test(f))) {
    const text = fs.readFileSync(path.join(repo, file), 'utf8');
    for (const match of text.matchAll(/name: '(anvil_[a-z0-9_]+)'/g)) names.add(match[1]!);
  }
  return names;
}

// The world-health dashboard reads only metrics the apps export: a renamed metric fails here,
// not as an empty panel in production.
describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(fs.readFileSync(path.join(repo, DASHBOARD), 'utf8')) as {
    panels: Panel[];
  };
  const queries = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
  );

  it('queries only metrics the apps declare (histograms by their _bucket series)', () => {
    const declared = declaredMetrics();
    const unknown = queries.flatMap(({ panel, expr }) =>
      [...expr.matchAll(/\banvil_[a-z0-9_]+/g)]
        .map((match) => match[0].replace(/_(bucket|sum|count)$/, ''))
        .filter((metric) => !declared.has(metric))
        .map((metric) => `${panel}: ${metric}`),
    );
    expect(queries.length).toBeGreaterThan(10);
    expect(unknown).toEqual([]);
  });

  it('covers world health: tick lag, players, commands and refusals, deltas, failovers, migrations, checkpoint age', () => {
    const all = queries.map((query) => query.expr).join('\n');
    for (const metric of [
      'anvil_physics_tick_lag_seconds_bucket',
      'anvil_game_players',
      'anvil_gateway_commands_total',
      'anvil_physics_steps_total',
      'anvil_physics_worlds_acquired_total',
      'anvil_physics_handovers_total',
      'anvil_physics_checkpoint_age_seconds',
    ])
      expect(all).toContain(metric);
  });
});

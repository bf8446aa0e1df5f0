import { Binding, Diagnostic } from '@anvil/capability-model';
import { stringify } from 'yaml';
import { Problem } from '../problems';
import { WorldPlan } from './plan-worlds';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The machine-readable plan, and the input's errors when it could not be resolved. */
export interface PlanDocument {
  bindings: Binding[];
  diagnostics: Diagnostic[];
  errors: Problem[];
}

/** Exactly the documented keys, `shard` null when not sharded, bindings in the plans' order. */
export function planDocument(plans: WorldPlan[], errors: Problem[] = []): PlanDocument {
  return {
    bindings: plans.flatMap((p) =>
      p.bindings.map((b) => ({
        name: b.name,
        world: b.world,
        consumer: b.consumer,
        capabilityId: b.capabilityId,
        provider: b.provider,
        providerVersion: b.providerVersion,
        scope: b.scope,
        multiplicity: b.multiplicity,
        rank: b.rank,
        shard: b.shard,
      })),
    ),
    diagnostics: plans.flatMap((p) =>
      p.diagnostics.map((d) => ({
        severity: d.severity,
        code: d.code,
        consumer: d.consumer,
        capabilityId: d.capabilityId,
        message: d.message,
        candidates: d.candidates.map((c) => ({
          module: c.module,
          version: c.version,
          scope: c.scope,
          reason: c.reason,
        })),
      })),
    ),
    errors,
  };
}

export function formatPlan(plans: WorldPlan[], format: OutputFormat): string {
  if (format === 'json') return JSON.stringify(planDocument(plans), null, 2);
  if (format === 'yaml') return stringify(planDocument(plans)).trimEnd();
  return formatTable(plans);
}

const HEADER = [
  '',
  'WORLD',
  'CONSUMER',
  'CAPABILITY',
  'PROVIDER',
  'VERSION',
  'RANK',
  'SCOPE',
  'SHARD',
];

/** Aligned columns, one line per binding, then one marked line per unresolved requirement. */
export function formatTable(plans: WorldPlan[]): string {
  const rows: string[][] = [];
  for (const plan of plans) {
    for (const b of plan.bindings) {
      rows.push([
        ' ',
        b.world,
        b.consumer,
        b.capabilityId,
        b.provider,
        b.providerVersion,
        String(b.rank),
        b.scope,
        b.shard === null ? '-' : String(b.shard),
      ]);
    }
    for (const d of plan.diagnostics.filter(
      (d) => d.capabilityId && d.code.endsWith('Unresolved'),
    )) {
      const mark = d.severity === 'error' ? '✗' : '!';
      rows.push([
        mark,
        plan.world,
        d.consumer,
        d.capabilityId,
        d.severity === 'error' ? 'UNRESOLVED' : 'unresolved (optional)',
        '-',
        '-',
        '-',
        '-',
      ]);
    }
  }
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const diagnostics = plans.flatMap((p) => p.diagnostics.map((d) => formatDiagnostic(p.world, d)));
  const summary = summaryLine(plans);
  return [
    line(HEADER),
    ...rows.map(line),
    ...(diagnostics.length ? ['', ...diagnostics] : []),
    '',
    summary,
  ].join('\n');
}

function formatDiagnostic(world: string, d: Diagnostic): string {
  const head = `${d.severity === 'error' ? '✗ error  ' : '! warning'} ${world}: ${d.code}: ${d.message}`;
  const candidates = d.candidates.map(
    (c) => `    - ${c.module} ${c.version} (${c.scope}): ${c.reason}`,
  );
  return [head, ...candidates].join('\n');
}

function summaryLine(plans: WorldPlan[]): string {
  const bindings = plans.reduce((n, p) => n + p.bindings.length, 0);
  const errors = plans.reduce(
    (n, p) => n + p.diagnostics.filter((d) => d.severity === 'error').length,
    0,
  );
  const warnings = plans.reduce(
    (n, p) => n + p.diagnostics.filter((d) => d.severity === 'warning').length,
    0,
  );
  return `${plans.length} world(s), ${bindings} binding(s), ${errors} error(s), ${warnings} warning(s)`;
}

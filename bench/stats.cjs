// Small statistics helpers shared by the benchmarks: medians, percentiles, a printed table
// and a JSON result file. Every benchmark reports ratios against a baseline from the same run.
const fs = require('node:fs');
const path = require('node:path');

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

const median = (values) => percentile(values, 50);

/** Runs fn `runs` times (after `warmup` unmeasured runs) and returns the durations in ms. */
async function timeRuns(fn, { runs = 7, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    if (global.gc) global.gc();
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times;
}

/** Prints rows as an aligned table and writes them to bench/results/<name>.json. */
function report(name, rows, extra = {}) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value) =>
    typeof value === 'number' ? value.toFixed(value < 10 ? 3 : 1) : String(value);
  const widths = columns.map((c) =>
    Math.max(c.length, ...rows.map((r) => cell(r[c] ?? '').length)),
  );
  const line = (values) => values.map((v, i) => v.padEnd(widths[i])).join('  ');
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(columns.map((c) => cell(row[c] ?? ''))));
  const out = path.join(__dirname, 'results', `${name}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify({ name, date: new Date().toISOString(), rows, ...extra }, null, 2),
  );
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
}

module.exports = { percentile, median, timeRuns, report };

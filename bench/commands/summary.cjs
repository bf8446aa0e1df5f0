// The table of bench/commands: one row per (bus, offered rate), each value the median over the
// runs (a ratio is the median of the runs' ratios, each against the bare server of the same run);
// then the highest rate each server holds p99 <= 2 ticks at, and the goals.
const { median, percentile } = require('../stats.cjs');

/** The goals: up to 3,000 commands/s p99 <= 1.5x bare and <= 2 ticks, CPU/command <= 3x bare. */
const GOAL = { upToRate: 3_000, p99Ratio: 1.5, p99Ticks: 2, cpuRatio: 3 };

const perSecond = (count, result) => count / result.seconds;
/** Of what nothing was measured for (no command accepted): infinite, so it counts in medians. */
const orInfinity = (value, measured) => (measured ? value : Infinity);
/** How the table shows an infinite median. */
const INFINITE = '∞';
/** Refused commands of a code shown on their own from this median rate (the others by name). */
const MIN_REFUSED_PER_SECOND = 0.5;

/** The numbers of one server at one rate in one run. */
function measured(result) {
  const { cpuMs, engineCpuMs = 0, brokerCpuMs } = result.serverCpu;
  return {
    sent: perSecond(result.sent, result),
    ok: perSecond(result.accepted, result),
    refused: Object.fromEntries(
      Object.entries(result.refused).map(([code, n]) => [code, perSecond(n, result)]),
    ),
    lost: perSecond(result.timeouts + result.noDelta, result),
    p50: orInfinity(median(result.latencies), result.latencies.length),
    p99: orInfinity(percentile(result.latencies, 99), result.latencies.length),
    cpu: orInfinity((cpuMs + engineCpuMs) / result.accepted, result.accepted),
    broker:
      brokerCpuMs === undefined
        ? undefined
        : orInfinity(brokerCpuMs / result.accepted, result.accepted),
  };
}

/** Median over runs of `pick(run)`: '' when no run has a value, INFINITE when it is infinite. */
function med(runs, pick) {
  const values = runs.map(pick).filter((v) => v !== undefined && !Number.isNaN(v));
  const value = values.length ? median(values) : '';
  return value === Infinity ? INFINITE : value;
}

/** "CODE n/s, ..." with each code's median rate over the runs (0 in a run without it); the codes
 * of a lower median are only named ("+ CODE"). */
function refusals(runs) {
  const codes = [...new Set(runs.flatMap((r) => Object.keys(r.anvil.refused)))].sort();
  const rates = codes.map((code) => [code, med(runs, (r) => r.anvil.refused[code] ?? 0)]);
  const often = rates.filter(([, rate]) => rate >= MIN_REFUSED_PER_SECOND);
  const rare = rates.filter(([, rate]) => rate < MIN_REFUSED_PER_SECOND);
  return [
    ...often.map(([code, rate]) => `${code} ${rate.toFixed(0)}/s`),
    ...rare.map(([code]) => `+ ${code}`),
  ].join(', ');
}

function row(bus, rate, runs, tickMs) {
  const kafka = bus === 'kafka';
  return {
    bus,
    'offered/s': rate,
    'sent/s': med(runs, (r) => r.anvil.sent),
    'ok/s': med(runs, (r) => r.anvil.ok),
    'bare ok/s': med(runs, (r) => r.bare.ok),
    'refused/s': refusals(runs),
    'lost/s': med(runs, (r) => r.anvil.lost),
    'p50 ms': med(runs, (r) => r.anvil.p50),
    'p99 ms': med(runs, (r) => r.anvil.p99),
    'bare p50': med(runs, (r) => r.bare.p50),
    'bare p99': med(runs, (r) => r.bare.p99),
    'p99 x bare': med(runs, (r) => r.anvil.p99 / r.bare.p99),
    'p99 ticks': med(runs, (r) => r.anvil.p99 / tickMs),
    'bare ticks': med(runs, (r) => r.bare.p99 / tickMs),
    'cpu ms/cmd': med(runs, (r) => r.anvil.cpu),
    'bare cpu': med(runs, (r) => r.bare.cpu),
    'cpu x bare': med(runs, (r) => r.anvil.cpu / r.bare.cpu),
    'broker ms/cmd': kafka ? med(runs, (r) => r.anvil.broker) : '',
  };
}

/** True for a measured value (not '') at most `max`. */
const within = (value, max) => typeof value === 'number' && value <= max;
const fixed = (value) => (typeof value === 'number' ? value.toFixed(2) : String(value || 'n/a'));

/** The highest offered rate whose p99 is within GOAL.p99Ticks, or 0. */
const highest = (rows, column) =>
  Math.max(0, ...rows.filter((r) => within(r[column], GOAL.p99Ticks)).map((r) => r['offered/s']));

/** The goals of one bus' rows: each { goal, met, detail }. */
function goals(rows) {
  const inScope = rows.filter((r) => r['offered/s'] <= GOAL.upToRate);
  const list = (pick) => inScope.map((r) => `${r['offered/s']}/s: ${pick(r)}`).join(', ');
  const anvilHighest = highest(rows, 'p99 ticks');
  const bareHighest = highest(rows, 'bare ticks');
  return [
    {
      goal: `up to ${GOAL.upToRate}/s p99 <= ${GOAL.p99Ratio}x bare and <= ${GOAL.p99Ticks} ticks`,
      met: inScope.every(
        (r) => within(r['p99 x bare'], GOAL.p99Ratio) && within(r['p99 ticks'], GOAL.p99Ticks),
      ),
      detail: list((r) => `${fixed(r['p99 x bare'])}x, ${fixed(r['p99 ticks'])} ticks`),
    },
    {
      goal: `up to ${GOAL.upToRate}/s CPU per command <= ${GOAL.cpuRatio}x bare`,
      met: inScope.every((r) => within(r['cpu x bare'], GOAL.cpuRatio)),
      detail: list((r) => `${fixed(r['cpu x bare'])}x`),
    },
    {
      goal: `highest rate with p99 <= ${GOAL.p99Ticks} ticks is the bare server's`,
      met: anvilHighest >= bareHighest,
      detail: `anvil ${anvilHighest || 'none'}, bare ${bareHighest || 'none'}`,
    },
  ];
}

/** The offered rate the clients did not keep up with (they share the machine with the servers). */
const SENT_SHARE = 0.95;

/**
 * `runs`: per run { bare: results by rate, anvil: { <bus>: results by rate } } (load.cjs results).
 * Returns the table rows; per bus, the highest rates and the goals; where the clients fell behind
 * the offered rate; and each run's numbers (perRun).
 */
function summarise(runs, { buses, rates, tickMs }) {
  const rows = [];
  const verdicts = {};
  const behind = new Set();
  const perRun = [];
  for (const bus of buses) {
    const busRows = rates.map((rate, i) => {
      const paired = runs.map((run) => ({
        anvil: measured(run.anvil[bus][i]),
        bare: measured(run.bare[i]),
      }));
      perRun.push({ bus, rate, runs: paired });
      for (const [server, name] of [
        ['anvil', `anvil ${bus}`],
        ['bare', 'bare'],
      ]) {
        const sent = med(paired, (r) => r[server].sent);
        if (sent < SENT_SHARE * rate) behind.add(`${name} ${sent.toFixed(0)}/s of ${rate}/s`);
      }
      return row(bus, rate, paired, tickMs);
    });
    rows.push(...busRows);
    verdicts[bus] = {
      highestRate: { anvil: highest(busRows, 'p99 ticks'), bare: highest(busRows, 'bare ticks') },
      goals: goals(busRows),
    };
  }
  return { rows, verdicts, behind: [...behind], perRun };
}

/** Prints, per bus, the highest rates and the goals met or missed; then where clients fell behind. */
function printVerdicts(verdicts, behind) {
  const rate = (r) => (r ? `${r}/s` : 'none');
  for (const [bus, { highestRate, goals }] of Object.entries(verdicts)) {
    console.log(
      `\n${bus}: highest offered rate with p99 <= ${GOAL.p99Ticks} ticks: anvil ${rate(highestRate.anvil)}, bare ${rate(highestRate.bare)}`,
    );
    for (const g of goals) console.log(`  ${g.met ? 'met   ' : 'missed'} ${g.goal} (${g.detail})`);
  }
  if (behind.length)
    console.log(`\nthe clients fell behind the offered rate (sent): ${behind.join('; ')}`);
}

module.exports = { GOAL, printVerdicts, summarise };

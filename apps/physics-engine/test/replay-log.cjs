// Fresh-process half of the command-log replay test: reads {cases: [{checkpoint: {state, tick,
// logSeq}, entries, untilTick}]} as JSON on stdin, replays each in this new process and prints
// the resulting ticks, log positions and state hashes as JSON.
require('./ts-register.cjs');
const { loadRapier } = require('../src/simulation/rapier.ts');
const { TEST_OPTIONS } = require('../src/simulation/test-support.ts');
const { replayLog } = require('../src/log/replay.ts');

async function main() {
  const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  const rapier = await loadRapier();
  const results = input.cases.map(({ checkpoint, entries, untilTick }) => {
    const { sim, logSeq } = replayLog(
      rapier,
      { ...checkpoint, state: Buffer.from(checkpoint.state, 'base64') },
      entries,
      untilTick,
      TEST_OPTIONS,
    );
    return { pid: process.pid, tick: sim.tick, logSeq, hash: sim.stateHash() };
  });
  process.stdout.write(JSON.stringify(results));
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});

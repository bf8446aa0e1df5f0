// Fresh-process half of the restore test: reads {scenarios: [{state, commands, untilTick}]}
// as JSON on stdin, restores each state in this new process, replays the commands queued at
// each tick and prints the resulting state hashes as JSON.
require('./ts-register.cjs');
const { loadRapier } = require('../src/simulation/rapier.ts');
const { WorldSimulation } = require('../src/simulation/world-simulation.ts');
const { TEST_OPTIONS, enqueueAll } = require('../src/simulation/test-support.ts');

async function main() {
  const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  const rapier = await loadRapier();
  const hashes = input.scenarios.map(({ state, commands, untilTick }) => {
    const sim = WorldSimulation.restore(rapier, Buffer.from(state, 'base64'), TEST_OPTIONS);
    while (sim.tick < untilTick) {
      enqueueAll(
        sim,
        commands.filter(([tick]) => tick === sim.tick).map(([, intent]) => intent),
      );
      sim.step();
    }
    return { pid: process.pid, tick: sim.tick, hash: sim.stateHash() };
  });
  process.stdout.write(JSON.stringify(hashes));
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});

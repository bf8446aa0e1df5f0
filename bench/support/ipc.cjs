// What a benchmark's server process does about its parent (Node IPC): it stops on 'stop', and
// exits when the parent goes.

/** Exits when the parent goes (its IPC channel closes): no server outlives its benchmark. */
function exitWithParent() {
  process.on('disconnect', () => process.exit(0));
}

/** Runs `stop` once on 'stop', then exits. */
function onStop(stop) {
  process.on('message', async (message) => {
    if (message !== 'stop') return;
    await stop();
    process.exit(0);
  });
}

module.exports = { exitWithParent, onStop };

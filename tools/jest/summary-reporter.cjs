// Prints the plain closing line CI reads ("N passed, N failed[, N skipped]") and, when
// ANVIL_TEST_SUMMARY names a file, appends the counts to it so .ci/run can sum several runs.
const fs = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const file = process.env.ANVIL_TEST_SUMMARY;
    if (file) fs.appendFileSync(file, JSON.stringify({ passed, failed, skipped }) + '\n');
    process.stdout.write(
      `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    );
  }
}

module.exports = SummaryReporter;

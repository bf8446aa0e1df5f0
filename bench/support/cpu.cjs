// CPU time of a process by its pid, from Linux's /proc: read from outside, so an overloaded
// process (whose event loop would answer late) is measured as exactly as an idle one.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');

let ticksPerSecond;

/** CPU ms (user + system) process `pid` has used so far; undefined when it cannot be read. */
function cpuMsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100;
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

module.exports = { cpuMsOf };

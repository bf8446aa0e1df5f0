// The gateway's per-connection token bucket for a command-load benchmark: twice the busiest
// client's rate gets through, so only the command path limits what is accepted (the bare
// server has no such limit).

/** RATE_LIMIT_PER_SECOND / RATE_LIMIT_BURST for `clients` sharing at most `maxRate` commands/s. */
function gatewayLimits(maxRate, clients) {
  const perClient = Math.ceil((2 * maxRate) / clients);
  return {
    RATE_LIMIT_PER_SECOND: String(Math.max(20, perClient)),
    RATE_LIMIT_BURST: String(Math.max(40, 2 * perClient)),
  };
}

module.exports = { gatewayLimits };

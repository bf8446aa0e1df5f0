/**
 * How long a fenced save's transaction may sit idle between its statements (ms). The save holds
 * the world's lease row FOR SHARE, which blocks the next holder's acquisition: a writer paused
 * (SIGSTOP, a long GC, a frozen VM) in the middle of it would keep the world from being taken
 * over for as long as it sleeps. PostgreSQL ends such a session after this long, so the lock
 * goes with it and the save fails (it was fenced anyway). Well under the default lease (1.5 s).
 */
export const FENCED_SAVE_IDLE_TIMEOUT_MS = 1_000;

/** The first statement of every fenced save's transaction. */
export const FENCED_SAVE_SETUP_SQL = `SET LOCAL idle_in_transaction_session_timeout = ${FENCED_SAVE_IDLE_TIMEOUT_MS}`;

/** Delay before the n-th redelivery (n >= 1): `baseMs` doubled per retry, at most `maxMs`. */
export function redeliveryBackoff(baseMs: number, maxMs: number): (attempt: number) => number {
  return (attempt) => Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
}

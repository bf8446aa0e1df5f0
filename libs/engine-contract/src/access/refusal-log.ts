import { status as GrpcStatus } from '@grpc/grpc-js';
import type { EngineAccessOptions } from './access-interceptor';

type Refusal = Parameters<NonNullable<EngineAccessOptions['onRefused']>>[0];

/**
 * An `onRefused` that writes at most one line per interval, counting the refusals it left
 * out, so a flood of unauthenticated or over-quota calls cannot flood the log.
 */
export function throttledRefusalLog(
  write: (line: string) => void,
  intervalMs = 10_000,
  now: () => number = () => performance.now(),
): (refusal: Refusal) => void {
  let last = -Infinity;
  let leftOut = 0;
  return (refusal) => {
    const t = now();
    if (t - last < intervalMs) {
      leftOut++;
      return;
    }
    const more = leftOut ? ` (and ${leftOut} more calls refused since the last report)` : '';
    write(
      `refused ${refusal.method} from caller "${refusal.caller}" at ${refusal.peer}: ${GrpcStatus[refusal.code]} ${refusal.reason}${more}`,
    );
    last = t;
    leftOut = 0;
  };
}

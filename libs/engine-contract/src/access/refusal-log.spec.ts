import { status } from '@grpc/grpc-js';
import { throttledRefusalLog } from './refusal-log';

describe('throttledRefusalLog', () => {
  it('writes at most one line per interval and counts the refusals it left out', () => {
    const lines: string[] = [];
    let now = 0;
    const log = throttledRefusalLog(
      (line) => lines.push(line),
      1_000,
      () => now,
    );
    const refusal = {
      code: status.UNAUTHENTICATED,
      reason: 'engine token missing or wrong',
      caller: 'unnamed',
      method: '/game.engine.v1.EngineService/Init',
      peer: '127.0.0.1:5000',
    };
    for (let i = 0; i < 50; i++) log(refusal);
    now = 1_000;
    log({ ...refusal, code: status.RESOURCE_EXHAUSTED, caller: 'busy' });
    expect(lines).toEqual([
      'refused /game.engine.v1.EngineService/Init from caller "unnamed" at 127.0.0.1:5000: UNAUTHENTICATED engine token missing or wrong',
      'refused /game.engine.v1.EngineService/Init from caller "busy" at 127.0.0.1:5000: RESOURCE_EXHAUSTED engine token missing or wrong (and 49 more calls refused since the last report)',
    ]);
  });
});

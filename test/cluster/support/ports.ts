import { freePort as freePortOn } from '@anvil/engine-contract';

/** A TCP port free on 127.0.0.1 now, outside the ephemeral range, not handed out before. */
export const freePort = (): Promise<number> => freePortOn('127.0.0.1');

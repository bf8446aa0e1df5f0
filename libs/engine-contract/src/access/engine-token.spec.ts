import { Metadata } from '@grpc/grpc-js';
import {
  AUTHORIZATION_METADATA_KEY,
  CALLER_METADATA_KEY,
  UNNAMED_CALLER,
  bearerToken,
  callerOf,
  engineCallMetadata,
  tokenMatches,
} from './engine-token';

const TOKEN = 'a-shared-engine-token-0123';

const metadataWith = (entries: Record<string, string>) => {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return metadata;
};

describe('engine token', () => {
  it('matches only the same token, whatever the lengths', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN, `${TOKEN}x`)).toBe(false);
    expect(tokenMatches(TOKEN, TOKEN.slice(1))).toBe(false);
    expect(tokenMatches(TOKEN, '')).toBe(false);
    expect(tokenMatches(TOKEN, undefined)).toBe(false);
  });

  it('reads a Bearer authorization entry and nothing else', () => {
    expect(bearerToken(metadataWith({ authorization: `Bearer ${TOKEN}` }))).toBe(TOKEN);
    expect(bearerToken(metadataWith({ authorization: `bearer ${TOKEN}` }))).toBe(TOKEN);
    expect(bearerToken(metadataWith({ authorization: `Basic ${TOKEN}` }))).toBeUndefined();
    expect(bearerToken(metadataWith({ authorization: 'Bearer ' }))).toBeUndefined();
    expect(bearerToken(new Metadata())).toBeUndefined();
  });

  it('names the caller, unnamed by default, undefined when malformed', () => {
    expect(callerOf(metadataWith({ [CALLER_METADATA_KEY]: 'gateway' }))).toBe('gateway');
    expect(callerOf(new Metadata())).toBe(UNNAMED_CALLER);
    expect(callerOf(metadataWith({ [CALLER_METADATA_KEY]: 'no spaces' }))).toBeUndefined();
    expect(callerOf(metadataWith({ [CALLER_METADATA_KEY]: 'x'.repeat(65) }))).toBeUndefined();
  });

  it('builds call metadata on a copy of the base', () => {
    const base = metadataWith({ traceparent: '00-abc' });
    const metadata = engineCallMetadata({ token: TOKEN, caller: 'gateway' }, base);
    expect(metadata.get(AUTHORIZATION_METADATA_KEY)).toEqual([`Bearer ${TOKEN}`]);
    expect(metadata.get(CALLER_METADATA_KEY)).toEqual(['gateway']);
    expect(metadata.get('traceparent')).toEqual(['00-abc']);
    expect(base.get(AUTHORIZATION_METADATA_KEY)).toEqual([]);
    expect(engineCallMetadata({ token: TOKEN }).get(CALLER_METADATA_KEY)).toEqual([]);
  });
});

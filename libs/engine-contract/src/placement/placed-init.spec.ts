import { Metadata } from '@grpc/grpc-js';
import { isPlacedInit, placedInit, PLACED_METADATA_KEY } from './placed-init';

describe('placed Init metadata', () => {
  it('marks a copy, keeping what the base carried', () => {
    const base = new Metadata();
    base.set('traceparent', '00-abc-def-01');
    const placed = placedInit(base);
    expect(isPlacedInit(placed)).toBe(true);
    expect(placed.get('traceparent')).toEqual(['00-abc-def-01']);
    expect(isPlacedInit(base)).toBe(false);
  });

  it('reads an Init without metadata, or without the key, as not placed', () => {
    expect(isPlacedInit(undefined)).toBe(false);
    expect(isPlacedInit(new Metadata())).toBe(false);
    const any = new Metadata();
    any.set(PLACED_METADATA_KEY, 'yes');
    expect(isPlacedInit(any)).toBe(true);
  });
});

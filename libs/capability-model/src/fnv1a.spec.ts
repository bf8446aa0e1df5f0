import { fnv1a32, fnv1a32Hex } from './fnv1a';

describe('fnv1a32', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
    ['chongo was here!\n', 0xd49930d5],
  ])('matches the reference value for %j', (text, expected) => {
    expect(fnv1a32(text)).toBe(expected);
  });

  it('hashes the UTF-8 bytes (é is C3 A9, 😀 is F0 9F 98 80)', () => {
    const bytes = (...b: number[]) =>
      b.reduce((h, byte) => Math.imul(h ^ byte, 0x01000193) >>> 0, 0x811c9dc5);
    expect(fnv1a32('é')).toBe(bytes(0xc3, 0xa9));
    expect(fnv1a32('😀')).toBe(bytes(0xf0, 0x9f, 0x98, 0x80));
    expect(fnv1a32('\ud800')).toBe(bytes(0xef, 0xbf, 0xbd)); // a lone surrogate is U+FFFD, as TextEncoder does
  });

  it('prints 8 hex digits', () => {
    expect(fnv1a32Hex('')).toBe('811c9dc5');
    expect(fnv1a32Hex('a')).toMatch(/^[0-9a-f]{8}$/);
  });
});

// `npm start`'s options: --replicas and ANVIL_REPLICAS (1..4, default 1), refused with a usage
// error that names the option and the range.
import { HELP, MAX_REPLICAS, UsageError, parseOptions } from './options';

describe('parseOptions: physics replicas', () => {
  it('runs one replica by default, as before', () => {
    expect(parseOptions([], {}).replicas).toBe(1);
  });

  it('reads --replicas N, --replicas=N and ANVIL_REPLICAS; the flag wins', () => {
    expect(parseOptions(['--replicas', '2'], {}).replicas).toBe(2);
    expect(parseOptions(['--replicas=4'], {}).replicas).toBe(4);
    expect(parseOptions([], { ANVIL_REPLICAS: '3' }).replicas).toBe(3);
    expect(parseOptions(['--replicas', '1'], { ANVIL_REPLICAS: '3' }).replicas).toBe(1);
    expect(MAX_REPLICAS).toBe(4);
  });

  it.each(['0', '5', '-1', '1.5', 'two', ' ', '1e1', '0x2'])(
    'refuses --replicas %j with the range',
    (value) => {
      const parse = () => parseOptions(['--replicas', value], {});
      expect(parse).toThrow(UsageError);
      expect(parse).toThrow(
        `--replicas must be the number of physics engine replicas, an integer 1..4, got "${value}"`,
      );
    },
  );

  it('refuses a bad ANVIL_REPLICAS and a --replicas without a value', () => {
    expect(() => parseOptions([], { ANVIL_REPLICAS: '9' })).toThrow(
      /^ANVIL_REPLICAS must be .* an integer 1\.\.4, got "9"$/,
    );
    expect(() => parseOptions(['--replicas'], {})).toThrow('--replicas needs a value');
  });

  it('documents the option and its variable in --help', () => {
    expect(HELP).toMatch(/--replicas N .*\[ANVIL_REPLICAS\]/s);
  });
});

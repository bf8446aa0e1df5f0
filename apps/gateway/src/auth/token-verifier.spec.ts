import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { AuthError } from '../errors/gateway-error';
import { checkLifetime, TokenVerifier } from './token-verifier';

const SECRET = 'a-secret-of-sixteen-plus';
const NOW_S = 1_800_000_000;
const config = {
  key: { algorithm: 'HS256' as const, secret: SECRET },
  clockToleranceS: 5,
  maxLifetimeS: 3_600,
  maxTokenBytes: 1_024,
};
const verifier = new TokenVerifier(config, () => NOW_S * 1000);
const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof AuthError ? error.code : 'not an AuthError';
  }
};

describe('TokenVerifier', () => {
  it('accepts a token within its lifetime and returns its expiry', () => {
    const token = jwt.sign({ sub: 'alice', iat: NOW_S - 10, exp: NOW_S + 60 }, SECRET);
    expect(verifier.verify(token)).toMatchObject({
      playerId: 'alice',
      expiresAt: (NOW_S + 60) * 1000,
    });
  });

  it.each([
    ['no exp', { sub: 'alice', iat: NOW_S }, 'AUTH_INVALID'],
    [
      'expired 3 s ago (inside the clock tolerance)',
      { sub: 'alice', exp: NOW_S - 3 },
      'AUTH_EXPIRED',
    ],
    ['expiring this very second', { sub: 'alice', exp: NOW_S }, 'AUTH_EXPIRED'],
    [
      'a lifetime over the longest',
      { sub: 'alice', iat: NOW_S, exp: NOW_S + 3_601 },
      'AUTH_INVALID',
    ],
    [
      'an iat in the future hiding a long remaining time',
      { sub: 'alice', iat: NOW_S + 7_200, exp: NOW_S + 7_260 },
      'AUTH_INVALID',
    ],
    [
      'an nbf beyond the tolerance',
      { sub: 'alice', nbf: NOW_S + 60, exp: NOW_S + 120 },
      'AUTH_INVALID',
    ],
  ])('refuses %s', (_name, claims, code) => {
    expect(codeOf(() => verifier.verify(jwt.sign(claims, SECRET)))).toBe(code);
  });

  it('admits an nbf inside the tolerance (issuer clock ahead)', () => {
    expect(
      codeOf(() =>
        verifier.verify(
          jwt.sign({ sub: 'alice', iat: NOW_S, nbf: NOW_S + 3, exp: NOW_S + 60 }, SECRET),
        ),
      ),
    ).toBeUndefined();
  });

  it('refuses a token over maxTokenBytes before reading it', () => {
    expect(codeOf(() => verifier.verify('x'.repeat(1_025)))).toBe('AUTH_TOKEN_TOO_LARGE');
    expect(codeOf(() => verifier.verify('é'.repeat(600)))).toBe('AUTH_TOKEN_TOO_LARGE');
  });

  it('never accepts a token past exp or living longer than the limit (property)', () => {
    const time = fc.integer({ min: NOW_S - 10 * 3_600, max: NOW_S + 10 * 3_600 });
    fc.assert(
      fc.property(
        time,
        fc.option(time, { nil: undefined }),
        fc.integer({ min: 60, max: 7_200 }),
        (exp, iat, maxLifetimeS) => {
          const claims = iat === undefined ? { exp } : { exp, iat };
          let expiresAt: number | undefined;
          try {
            expiresAt = checkLifetime(claims, NOW_S * 1000, maxLifetimeS);
          } catch (error) {
            expect(error).toBeInstanceOf(AuthError);
            return;
          }
          expect(expiresAt).toBe(exp * 1000);
          expect(exp).toBeGreaterThan(NOW_S);
          expect(exp - NOW_S).toBeLessThanOrEqual(maxLifetimeS);
          if (iat !== undefined) expect(exp - iat).toBeLessThanOrEqual(maxLifetimeS);
        },
      ),
      { numRuns: 500 },
    );
  });
});

import jwt from 'jsonwebtoken';
import { ID_PATTERN, MAX_PLAYER_ID_LENGTH } from '@anvil/engine-contract';
import { ErrorCode } from '../errors/error-codes';
import { AuthError } from '../errors/gateway-error';
import type { GatewayConfig } from '../config/gateway-config';
import type { Principal } from '../protocol/principal';

/** Longest player id: the interaction engine names the body `p:<playerId>` within 64 characters. */
/** Most worlds a token may list. */
const MAX_WORLD_CLAIMS = 1_000;

/**
 * Verifies handshake tokens (HS256 with a secret or RS256 with a public key; the algorithm is
 * pinned by config, so `alg: none` or an HS256 token signed with the public key is refused)
 * and turns their claims into a Principal. `exp` is required, and a token may not live longer
 * than `maxLifetimeS`. The clock tolerance only admits an `nbf`/`iat` slightly in the future (an
 * issuer whose clock runs ahead); it never extends `exp`: skew may shorten what a token allows,
 * never lengthen it.
 */
export class TokenVerifier {
  private readonly key: string;
  private readonly options: jwt.VerifyOptions;

  constructor(
    private readonly config: GatewayConfig['jwt'],
    private readonly nowMs: () => number = Date.now,
  ) {
    this.key = config.key.algorithm === 'HS256' ? config.key.secret : config.key.publicKey;
    this.options = {
      algorithms: [config.key.algorithm],
      clockTolerance: config.clockToleranceS,
      // exp is checked below, without the tolerance.
      ignoreExpiration: true,
      ...(config.issuer ? { issuer: config.issuer } : {}),
      ...(config.audience ? { audience: config.audience } : {}),
    };
  }

  /** The principal of a token; throws AuthError (AUTH_REQUIRED, AUTH_TOKEN_TOO_LARGE, AUTH_INVALID, AUTH_EXPIRED). */
  verify(token: unknown): Principal {
    if (typeof token !== 'string' || token.trim() === '') {
      throw new AuthError(
        ErrorCode.AuthRequired,
        'a token is required: pass it as auth.token or an Authorization: Bearer header',
      );
    }
    // Length is a cheap upper bound of the UTF-8 size / 3; decide on the exact size only when close.
    if (
      token.length > this.config.maxTokenBytes ||
      Buffer.byteLength(token) > this.config.maxTokenBytes
    ) {
      throw new AuthError(
        ErrorCode.AuthTokenTooLarge,
        `the token is longer than ${this.config.maxTokenBytes} bytes`,
      );
    }
    let claims: jwt.JwtPayload | string;
    try {
      claims = jwt.verify(token, this.key, {
        ...this.options,
        clockTimestamp: Math.floor(this.nowMs() / 1000),
      });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : 'unreadable token';
      throw new AuthError(ErrorCode.AuthInvalid, `the token is not valid: ${reason}`, { cause });
    }
    if (typeof claims === 'string')
      throw new AuthError(ErrorCode.AuthInvalid, 'the token carries no claims object');
    return toPrincipal(claims, checkLifetime(claims, this.nowMs(), this.config.maxLifetimeS));
  }
}

/** The token's expiry (ms since the epoch) once `exp` is present, in the future and within the longest lifetime. */
export function checkLifetime(claims: jwt.JwtPayload, nowMs: number, maxLifetimeS: number): number {
  const { exp, iat } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp))
    throw new AuthError(
      ErrorCode.AuthInvalid,
      'the token has no "exp" claim: every token must expire',
    );
  const expiresAt = exp * 1000;
  if (expiresAt <= nowMs) throw new AuthError(ErrorCode.AuthExpired, 'the token has expired');
  // From issue (when stated) and from now: an iat in the future cannot stretch the remaining time.
  const lifetimeMs = Math.max(
    expiresAt - nowMs,
    typeof iat === 'number' ? expiresAt - iat * 1000 : 0,
  );
  if (lifetimeMs > maxLifetimeS * 1000) {
    throw new AuthError(
      ErrorCode.AuthInvalid,
      `the token lives longer than the ${maxLifetimeS} s this gateway accepts (JWT_MAX_LIFETIME_SECONDS)`,
    );
  }
  return expiresAt;
}

function toPrincipal(claims: jwt.JwtPayload, expiresAt: number): Principal {
  const sub = claims.sub;
  if (typeof sub !== 'string' || !ID_PATTERN.test(sub) || sub.length > MAX_PLAYER_ID_LENGTH) {
    throw new AuthError(
      ErrorCode.AuthInvalid,
      `claim "sub" must be 1..${MAX_PLAYER_ID_LENGTH} characters of [A-Za-z0-9_.:-]`,
    );
  }
  const worlds: unknown = claims['worlds'];
  if (
    worlds !== undefined &&
    (!Array.isArray(worlds) ||
      worlds.length > MAX_WORLD_CLAIMS ||
      !worlds.every((w) => typeof w === 'string'))
  ) {
    throw new AuthError(ErrorCode.AuthInvalid, 'claim "worlds" must be a list of world ids');
  }
  const roles: unknown = claims['roles'];
  if (
    roles !== undefined &&
    (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string'))
  ) {
    throw new AuthError(ErrorCode.AuthInvalid, 'claim "roles" must be a list of strings');
  }
  return {
    playerId: sub,
    worlds: worlds as string[] | undefined,
    admin: Array.isArray(roles) && roles.includes('admin'),
    expiresAt,
  };
}

/** The token of a handshake: `auth.token`, else an `Authorization: Bearer` header. */
export function tokenOf(handshake: {
  auth?: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}): unknown {
  const fromAuth = handshake.auth?.['token'];
  if (fromAuth !== undefined) return fromAuth;
  const header = handshake.headers['authorization'];
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(.+)$/i.exec(value) : null;
  return match?.[1];
}

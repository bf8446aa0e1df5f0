import jwt from 'jsonwebtoken';
import { ID_PATTERN } from '@anvil/engine-contract';
import { ErrorCode } from '../errors/error-codes';
import { AuthError } from '../errors/gateway-error';
import type { GatewayConfig } from '../config/gateway-config';
import type { Principal } from './principal';

/** Longest player id: the interaction engine names the body `p:<playerId>` within 64 characters. */
export const MAX_PLAYER_ID_LENGTH = 62;
/** Most worlds a token may list. */
const MAX_WORLD_CLAIMS = 1_000;

/**
 * Verifies handshake tokens (HS256 with a secret or RS256 with a public key; the algorithm is
 * pinned by config, so `alg: none` or an HS256 token signed with the public key is refused)
 * and turns their claims into a Principal.
 */
export class TokenVerifier {
  private readonly key: string;
  private readonly options: jwt.VerifyOptions;

  constructor(config: GatewayConfig['jwt']) {
    this.key = config.key.algorithm === 'HS256' ? config.key.secret : config.key.publicKey;
    this.options = {
      algorithms: [config.key.algorithm],
      clockTolerance: config.clockToleranceS,
      ...(config.issuer ? { issuer: config.issuer } : {}),
      ...(config.audience ? { audience: config.audience } : {}),
    };
  }

  /** The principal of a token; throws AuthError (AUTH_REQUIRED, AUTH_INVALID, AUTH_EXPIRED). */
  verify(token: unknown): Principal {
    if (typeof token !== 'string' || token.trim() === '') {
      throw new AuthError(ErrorCode.AuthRequired, 'a token is required: pass it as auth.token or an Authorization: Bearer header');
    }
    let claims: jwt.JwtPayload | string;
    try {
      claims = jwt.verify(token, this.key, this.options);
    } catch (cause) {
      if (cause instanceof jwt.TokenExpiredError) throw new AuthError(ErrorCode.AuthExpired, 'the token has expired', { cause });
      const reason = cause instanceof Error ? cause.message : 'unreadable token';
      throw new AuthError(ErrorCode.AuthInvalid, `the token is not valid: ${reason}`, { cause });
    }
    if (typeof claims === 'string') throw new AuthError(ErrorCode.AuthInvalid, 'the token carries no claims object');
    return toPrincipal(claims);
  }
}

function toPrincipal(claims: jwt.JwtPayload): Principal {
  const sub = claims.sub;
  if (typeof sub !== 'string' || !ID_PATTERN.test(sub) || sub.length > MAX_PLAYER_ID_LENGTH) {
    throw new AuthError(ErrorCode.AuthInvalid, `claim "sub" must be 1..${MAX_PLAYER_ID_LENGTH} characters of [A-Za-z0-9_.:-]`);
  }
  const worlds: unknown = claims['worlds'];
  if (worlds !== undefined && (!Array.isArray(worlds) || worlds.length > MAX_WORLD_CLAIMS || !worlds.every((w) => typeof w === 'string'))) {
    throw new AuthError(ErrorCode.AuthInvalid, 'claim "worlds" must be a list of world ids');
  }
  const roles: unknown = claims['roles'];
  if (roles !== undefined && (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string'))) {
    throw new AuthError(ErrorCode.AuthInvalid, 'claim "roles" must be a list of strings');
  }
  return {
    playerId: sub,
    worlds: worlds as string[] | undefined,
    admin: Array.isArray(roles) && roles.includes('admin'),
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : undefined,
  };
}

/** The token of a handshake: `auth.token`, else an `Authorization: Bearer` header. */
export function tokenOf(handshake: { auth?: Record<string, unknown>; headers: Record<string, string | string[] | undefined> }): unknown {
  const fromAuth = handshake.auth?.['token'];
  if (fromAuth !== undefined) return fromAuth;
  const header = handshake.headers['authorization'];
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(.+)$/i.exec(value) : null;
  return match?.[1];
}

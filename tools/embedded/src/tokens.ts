// Development JWTs (HS256) for the embedded gateway, signed with node:crypto. The secret is
// made once per data folder (or taken from ANVIL_JWT_SECRET) so printed tokens survive restarts.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_PLAYER_ID_LENGTH } from '@anvil/engine-contract';

type Env = Record<string, string | undefined>;

/** The claims the gateway reads: the player (`sub`), roles, and the worlds it may join. */
export interface Claims {
  sub: string;
  roles?: string[];
  worlds?: string[];
}

const b64url = (value: string) => Buffer.from(value).toString('base64url');

/** Signs `claims` with HS256; `ttlS` seconds of validity. */
export function signToken(secret: string, claims: Claims, ttlS = 12 * 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ ...claims, iat: now, exp: now + ttlS }));
  const signature = crypto
    .createHmac('sha256', secret)
    .update(`${header}.${payload}`)
    .digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/**
 * A development secret of a data folder: the environment variable `variable` when set, else the
 * file `<data>/<fileName>`, made on first use (mode 0600). At least 16 characters either way.
 */
function devSecretFile(dataDir: string, variable: string, fileName: string, env: Env): string {
  const given = env[variable];
  if (given) {
    if (given.length < 16) throw new Error(`${variable} must be at least 16 characters`);
    return given;
  }
  const file = path.join(dataDir, fileName);
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    if (text.length >= 16) return text;
  } catch {
    // first run: make one
  }
  const secret = crypto.randomBytes(32).toString('base64url');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** The dev JWT secret of a data folder: ANVIL_JWT_SECRET, else `<data>/dev-jwt-secret`. */
export const devSecret = (dataDir: string, env: Env = process.env) =>
  devSecretFile(dataDir, 'ANVIL_JWT_SECRET', 'dev-jwt-secret', env);

/**
 * The engine token the engines and their callers share here: ANVIL_ENGINE_TOKEN, else
 * `<data>/dev-engine-token`, so tools on this machine can call the engines too.
 */
export const devEngineToken = (dataDir: string, env: Env = process.env) =>
  devSecretFile(dataDir, 'ANVIL_ENGINE_TOKEN', 'dev-engine-token', env);

/** A player id from free text: the characters the gateway accepts, as many as a body id allows. */
export function playerIdFrom(text: string): string {
  const cleaned = String(text || '')
    .replace(/[^A-Za-z0-9_.:-]/g, '')
    .slice(0, MAX_PLAYER_ID_LENGTH);
  return cleaned || `guest-${crypto.randomBytes(3).toString('hex')}`;
}

// Reading the environment with zod: the one validation library of every app (docs/decisions.md).
import { z } from 'zod';
import { ConfigError } from './config-error';

/** An environment: `process.env` or a test's plain object. */
export type Env = Record<string, string | undefined>;

/** An integer variable within [min, max], with messages naming the bound that was missed. */
export function int(min: number, max: number) {
  return z.coerce
    .number({ error: 'must be integer' })
    .int('must be integer')
    .min(min, `must be >= ${min}`)
    .max(max, `must be <= ${max}`);
}

/** Splits `a, b,c` into `['a', 'b', 'c']` (blank entries dropped); unset is an empty list. */
export function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** The environment without its empty variables (an empty variable counts as unset), but `keep`. */
export function withoutBlanks(env: Env, keep: readonly string[] = []): Env {
  return Object.fromEntries(
    Object.entries(env).filter(([key, value]) => value !== '' || keep.includes(key)),
  );
}

/** `PATH: message` for every issue zod found. */
export function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

/**
 * Validates `env` against `schema`; throws one ConfigError naming `app` and every issue, those
 * of the schema first and then the ones `check` adds (cross-variable rules that must be reported
 * even when a single variable is bad).
 */
export function parseEnv<S extends z.ZodType>(
  app: string,
  schema: S,
  env: Env,
  check: (env: Env) => string[] = () => [],
): z.output<S> {
  const parsed = schema.safeParse(env);
  const issues = [...(parsed.success ? [] : issuesOf(parsed.error)), ...check(env)];
  if (issues.length > 0 || !parsed.success) throw new ConfigError(app, issues);
  return parsed.data;
}

import { createHash } from 'node:crypto';

/**
 * `<module>-<version>` as a DNS-1035 label (a Service name): lower case, every other character a
 * dash, at most 63 characters (a longer one keeps its head and a hash of the whole).
 */
export function workloadName(module: string, version: string): string {
  const raw = `${module}-${version}`.toLowerCase();
  let name = raw
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  if (name === '') name = 'module';
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
  return `${name.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

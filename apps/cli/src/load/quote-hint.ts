/**
 * A hint for a YAML error caused by an unquoted SemVer range or version: `>=1.0.0` starts a
 * block scalar, `*` an alias, `|| 2` a literal block. Returns e.g.
 * ` (quote it: versionConstraint: ">=1.0.0")`, or '' when the line holds no such value.
 */
export function quoteHint(lineText: string): string {
  const found = /\b(versionConstraint|version)\s*:\s*([^\s'"][^,}#]*)/.exec(lineText);
  if (!found) return '';
  const [, key, raw] = found;
  const value = raw.trim();
  if (!/^[>*|&!%@`]/.test(value)) return '';
  return ` (a SemVer ${key === 'version' ? 'version' : 'range'} must be quoted: ${key}: ${JSON.stringify(value)})`;
}

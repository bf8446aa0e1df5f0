import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { kubernetesIsSemver } from './kubernetes-is-semver';

/**
 * The CRDs' own rules for a SemVer version and a SemVer range, read from deploy/crds and
 * evaluated as the API server does: `maxLength`, then each `x-kubernetes-validations` rule.
 * Only the two rule forms the CRDs use are understood (`isSemver(self)` and
 * `self.matches(r'...')`); anything else throws, so a new rule cannot be skipped silently.
 */

export const CRD_DIR = path.resolve(__dirname, '../../../../deploy/crds');

interface StringField {
  maxLength?: number;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

export interface CrdStringRule {
  /** The field's schema, as in the CRD. */
  field: StringField;
  /** True when the API server admits the value. */
  admits(value: string): boolean;
  /** The `matches()` patterns of the field's rules. */
  patterns: string[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- walking parsed YAML of known shape */
function readSpec(file: string): any {
  const crd = parse(fs.readFileSync(path.join(CRD_DIR, file), 'utf8'));
  return crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
}

function compile(field: StringField): CrdStringRule {
  const patterns: string[] = [];
  const checks = (field['x-kubernetes-validations'] ?? []).map(({ rule }) => {
    if (rule === 'isSemver(self)') return kubernetesIsSemver;
    const matches = /^self\.matches\(r'(.*)'\)$/.exec(rule);
    if (!matches) throw new Error(`unknown CRD rule: ${rule}`);
    patterns.push(matches[1]);
    const re = new RegExp(matches[1]);
    return (value: string) => re.test(value);
  });
  return {
    field,
    patterns,
    admits: (value) =>
      (field.maxLength === undefined || [...value].length <= field.maxLength) &&
      checks.every((check) => check(value)),
  };
}

/** The rule on ModuleManifest `spec.provides[].version`. */
export function crdVersionRule(): CrdStringRule {
  return compile(readSpec('modulemanifests.yaml').provides.items.properties.version);
}

/** The rule on ModuleManifest `spec.requires[].versionConstraint`. */
export function crdRangeRule(): CrdStringRule {
  return compile(readSpec('modulemanifests.yaml').requires.items.properties.versionConstraint);
}

/** Every SemVer string field of every CRD, by "file spec.path", for "all the same" checks. */
export function allCrdSemverFields(): Map<string, StringField> {
  const out = new Map<string, StringField>();
  const walk = (node: any, at: string, file: string) => {
    if (!node || typeof node !== 'object') return;
    const rules: { rule: string }[] | undefined = node['x-kubernetes-validations'];
    if (node.type === 'string' && rules?.some((r) => /isSemver|matches/.test(r.rule)))
      out.set(`${file} ${at}`, node);
    for (const [key, child] of Object.entries(node)) walk(child, `${at}.${key}`, file);
  };
  for (const file of fs.readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml')))
    walk(parse(fs.readFileSync(path.join(CRD_DIR, file), 'utf8')), '', file);
  return out;
}

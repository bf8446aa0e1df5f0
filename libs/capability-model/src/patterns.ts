/**
 * Name rules shared by the validator and the resolver, mirroring the CRDs
 * (deploy/crds; SemVer rules are in semver-rules.ts) and the Kubernetes API server's own name validation.
 */

/** DNS-1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_LABEL_MAX = 63;

/** DNS-1123 subdomain: dot-separated labels (the rule for Kubernetes object names). */
export const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS1123_SUBDOMAIN_MAX = 253;

/** A capability id has the shape of a DNS-1123 subdomain, e.g. `physics.simulation`. */
export const CAPABILITY_ID = DNS1123_SUBDOMAIN;
export const CAPABILITY_ID_MAX = 128;

/** True when value is a DNS-1123 label. */
export function isDnsLabel(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && DNS1123_LABEL.test(value);
}

/** True when value is a DNS-1123 subdomain. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= DNS1123_SUBDOMAIN_MAX && DNS1123_SUBDOMAIN.test(value);
}

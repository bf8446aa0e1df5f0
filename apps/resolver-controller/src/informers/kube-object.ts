/** The metadata the controller reads from any object it watches. */
export interface KubeMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  deletionTimestamp?: string;
}

/** metav1.OwnerReference. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: KubeMeta;
}

/** `namespace/name` (or `name` for cluster-scoped objects): the key of stores and the queue. */
export function objectKey(obj: Pick<KubeObject, 'metadata'>): string {
  return namespacedKey(obj.metadata.namespace, obj.metadata.name);
}

/** `namespace/name`, or `name` without a namespace. */
export function namespacedKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Splits a `namespace/name` key. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: '', name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** A typed anvil.dev object as the cache holds it: its metadata as the API server returns it. */
export type Cached<T extends { metadata: object }> = Omit<T, 'metadata'> & {
  metadata: T['metadata'] & KubeMeta;
};

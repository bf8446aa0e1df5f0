/** "Kind/name" of a parsed object for messages, tolerant of any shape. */
export function describeObject(object: unknown): string {
  const record = (object ?? {}) as { kind?: unknown; metadata?: { name?: unknown } };
  const kind = typeof record.kind === 'string' ? record.kind : '<no kind>';
  const name = typeof record.metadata?.name === 'string' ? record.metadata.name : '<no name>';
  return `${kind}/${name}`;
}

import type { BusLogEntry } from '@anvil/bus/kafka';
import type { SkippedRecord } from '../fold/analytics-input';

/**
 * The record a KafkaBus log line reports as skipped (not JSON, not a valid event: the bus drops
 * it before any handler runs), or undefined for any other line. The bus offers no other signal,
 * so its log line is the hook (docs/analytics.md).
 */
export function skippedRecordOf(entry: BusLogEntry): SkippedRecord | undefined {
  if (entry.namespace !== 'bus' || entry.level !== 'error') return undefined;
  if (!entry.message.startsWith('skipping a record')) return undefined;
  const { topic, partition, offset, key } = entry.extra;
  if (typeof topic !== 'string' || typeof partition !== 'number') return undefined;
  if (typeof offset !== 'string' && typeof offset !== 'number') return undefined;
  return { topic, partition, offset: String(offset), key: typeof key === 'string' ? key : '' };
}

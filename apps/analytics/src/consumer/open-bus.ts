import { InMemoryBus, type EventBus } from '@anvil/bus';
import type { BusLogEntry, KafkaBus as KafkaBusClass } from '@anvil/bus/kafka';
import type { BusConfig } from '@anvil/runtime';
import type { Logger } from 'pino';
import type { SkippedRecord } from '../fold/analytics-input';
import { skippedRecordOf } from './skipped-record';

const KAFKA_ENTRY_POINT = '@anvil/bus/kafka';

/**
 * The module's own bus when none is given: in memory, or Kafka with its log lines in the app's
 * logger and every record the bus skips reported to `onSkipped` (so it is counted).
 */
export function openBus(
  config: BusConfig,
  logger: Logger,
  onSkipped: (record: SkippedRecord) => void,
): EventBus {
  if (config.kind === 'memory') return new InMemoryBus();
  // As @anvil/runtime's createBus: only BUS=kafka loads kafkajs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KafkaBus } = require(KAFKA_ENTRY_POINT) as { KafkaBus: typeof KafkaBusClass };
  return new KafkaBus({
    brokers: config.kafkaBrokers,
    clientId: config.kafkaClientId,
    logger: (entry: BusLogEntry) => {
      const skipped = skippedRecordOf(entry);
      if (skipped) onSkipped(skipped);
      else logger[entry.level]({ namespace: entry.namespace, ...entry.extra }, entry.message);
    },
  });
}

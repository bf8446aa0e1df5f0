// Test support for any project: reads Kafka topics raw with plain kafkajs (no Anvil code), as any
// consumer of the topics would, from the start up to each partition's end now. Used by the
// scripts tests spawn (apps may not import kafkajs themselves). Needs the workspace's kafkajs.
const { Kafka, logLevel } = require('kafkajs');

/** A client of `brokers` (comma-separated) that logs nothing. */
function kafkaOf(brokers, clientId) {
  return new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

/**
 * Every record of `topics` up to each partition's end at the call, as
 * [{ topic, partition, offset, key, value }] (value the raw string), sorted by topic, partition
 * and offset. Rejects after `timeoutMs`.
 */
async function readRecords(kafka, topics, timeoutMs = 60_000) {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map();
  try {
    for (const topic of topics)
      for (const { partition, low, high } of await admin.fetchTopicOffsets(topic))
        if (Number(high) > Number(low)) ends.set(`${topic}/${partition}`, Number(high) - 1);
  } finally {
    await admin.disconnect();
  }
  const records = [];
  if (ends.size > 0) {
    const consumer = kafka.consumer({ groupId: `raw-topics-${process.pid}-${Date.now()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('reading timed out')), timeoutMs);
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ topic, partition, message }) => {
              const offset = Number(message.offset);
              records.push({
                topic,
                partition,
                offset,
                key: message.key ? message.key.toString('utf8') : '',
                value: message.value ? message.value.toString('utf8') : '',
              });
              const id = `${topic}/${partition}`;
              if (offset >= (ends.get(id) ?? -1)) ends.delete(id);
              if (ends.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
  }
  return records.sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset,
  );
}

module.exports = { kafkaOf, readRecords };

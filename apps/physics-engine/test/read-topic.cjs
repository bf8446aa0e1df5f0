// A plain kafkajs consumer, no Anvil code (as any consumer of the topics would read them): prints
// every record of a topic up to each partition's end now, as JSON [{key, partition, offset,
// value}] in partition and offset order. Usage: node read-topic.cjs <brokers,comma,separated> <topic>
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const [brokers, topic] = process.argv.slice(2);
  const kafka = new Kafka({
    clientId: 'read-topic',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map();
  try {
    for (const { partition, low, high } of await admin.fetchTopicOffsets(topic)) {
      if (Number(high) > Number(low)) ends.set(partition, Number(high) - 1);
    }
  } finally {
    await admin.disconnect();
  }
  const records = [];
  if (ends.size > 0) {
    const consumer = kafka.consumer({ groupId: `read-topic-${process.pid}-${Date.now()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out`)), 60_000);
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const offset = Number(message.offset);
              records.push({
                key: message.key ? message.key.toString('utf8') : '',
                partition,
                offset,
                value: JSON.parse(message.value ? message.value.toString('utf8') : 'null'),
              });
              if (offset >= (ends.get(partition) ?? -1)) ends.delete(partition);
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
  records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  process.stdout.write(JSON.stringify(records));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

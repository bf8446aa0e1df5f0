// Plain kafkajs, no Anvil code, for the crash test: writes records exactly as given (garbage
// included, which no Anvil bus would publish) and reads topics back raw, as any consumer would.
//   node raw-records.cjs produce <brokers> <topic>   (stdin: JSON [{key, value}], value a string)
//   node raw-records.cjs read <brokers> <topic>...   (stdout: JSON [{topic, partition, offset, key, value}])
const { Kafka, logLevel } = require('kafkajs');

const TIMEOUT_MS = 30_000;

async function produce(kafka, topic) {
  const records = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: records });
  } finally {
    await producer.disconnect();
  }
}

async function read(kafka, topics) {
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
    const consumer = kafka.consumer({ groupId: `raw-records-${process.pid}-${Date.now()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('reading timed out')), TIMEOUT_MS);
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
  records.sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset,
  );
  process.stdout.write(JSON.stringify(records));
}

async function main() {
  const [mode, brokers, ...topics] = process.argv.slice(2);
  const kafka = new Kafka({
    clientId: 'raw-records',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  if (mode === 'produce') await produce(kafka, topics[0]);
  else if (mode === 'read') await read(kafka, topics);
  else throw new Error(`unknown mode ${mode}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

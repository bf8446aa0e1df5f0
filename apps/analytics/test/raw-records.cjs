// Plain kafkajs, no Anvil code, for the crash test: writes records exactly as given (garbage
// included, which no Anvil bus would publish) and reads topics back raw, as any consumer would.
//   node raw-records.cjs produce <brokers> <topic>   (stdin: JSON [{key, value}], value a string)
//   node raw-records.cjs read <brokers> <topic>...   (stdout: JSON [{topic, partition, offset, key, value}])
const { kafkaOf, readRecords } = require('../../../tools/testenv/lib/raw-topics.cjs');

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
  process.stdout.write(JSON.stringify(await readRecords(kafka, topics, TIMEOUT_MS)));
}

async function main() {
  const [mode, brokers, ...topics] = process.argv.slice(2);
  const kafka = kafkaOf(brokers, 'raw-records');
  if (mode === 'produce') await produce(kafka, topics[0]);
  else if (mode === 'read') await read(kafka, topics);
  else throw new Error(`unknown mode ${mode}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

// A plain kafkajs consumer, no Anvil code (as any consumer of the topics would read them): prints
// every record of a topic up to each partition's end now, as JSON [{key, partition, offset,
// value}] in partition and offset order. Usage: node read-topic.cjs <brokers,comma,separated> <topic>
const { kafkaOf, readRecords } = require('../../../tools/testenv/lib/raw-topics.cjs');

async function main() {
  const [brokers, topic] = process.argv.slice(2);
  const records = await readRecords(kafkaOf(brokers, 'read-topic'), [topic]);
  const parsed = records.map(({ key, partition, offset, value }) => ({
    key,
    partition,
    offset,
    value: JSON.parse(value || 'null'),
  }));
  process.stdout.write(JSON.stringify(parsed));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

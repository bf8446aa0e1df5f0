// The Kafka of tools/testenv for the benchmarks (`npm run testenv:up`; TESTENV_STATE_DIR names
// another checkout's state folder): is it up, its broker's pid, and removing what a run left
// there (its topics and consumer groups, found by the run's prefix).
const fs = require('node:fs');
const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');
const { readTestenv } = require('../../tools/jest/testenv-file.cjs');

const admin = (brokers) =>
  new Kafka({
    brokers,
    clientId: 'anvil-bench',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    retry: { retries: 1 },
  }).admin();

/**
 * The testenv's Kafka: { brokers, brokerPid } (brokerPid undefined when testenv does not say).
 * Throws an Error saying what is missing when testenv is not up or its broker does not answer.
 */
async function testenvKafka() {
  const env = readTestenv();
  if (!env.KAFKA_BROKERS) throw new Error('testenv has no KAFKA_BROKERS: run `npm run testenv:up`');
  const brokers = env.KAFKA_BROKERS.split(',');
  const client = admin(brokers);
  try {
    await client.connect();
    await client.describeCluster();
  } catch (error) {
    throw new Error(`Kafka at ${brokers.join(',')} does not answer (${error.message})`);
  } finally {
    await client.disconnect().catch(() => undefined);
  }
  return { brokers, brokerPid: brokerPid(env) };
}

/** The pid testenv wrote for its broker. */
function brokerPid(env) {
  try {
    return Number(fs.readFileSync(path.join(env.TESTENV_PID_DIR, 'kafka.pid'), 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** Why a group may not be deleted that is no fault: members still leaving, or already gone. */
const LEFT_TO_KAFKA = ['NON_EMPTY_GROUP', 'GROUP_ID_NOT_FOUND'];

/**
 * Deletes the topics that start with `prefix.` and the consumer groups that contain `prefix`. A
 * group whose members have not left yet (a server that had to be killed) is left to Kafka: it goes
 * once their sessions time out, its offsets having gone with the topics.
 */
async function dropRun(brokers, prefix) {
  const client = admin(brokers);
  await client.connect();
  try {
    const topics = (await client.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (topics.length) await client.deleteTopics({ topics });
    const { groups } = await client.listGroups();
    const ours = groups.map((g) => g.groupId).filter((id) => id.includes(prefix));
    await client.deleteGroups(ours).catch((error) => {
      const failed = (error.groups ?? []).filter((g) => !LEFT_TO_KAFKA.includes(g.error?.type));
      if (!error.groups) throw error;
      if (failed.length)
        throw new Error(failed.map((g) => `${g.groupId}: ${g.error?.type}`).join(', '));
    });
  } finally {
    await client.disconnect();
  }
}

module.exports = { testenvKafka, dropRun };

'use strict';
// A Kafka consumer with nothing of Anvil: kafkajs and the OpenTelemetry SDK. It reads the world
// topic's CloudEvents (structured JSON) and continues the trace each one's `traceparent` names
// (the CloudEvents distributed-tracing extension), as an analytics job would.
//   node plain-consumer.cjs   (KAFKA_BROKERS, TOPIC, GROUP, OTEL_EXPORTER_OTLP_ENDPOINT)
const { Kafka, logLevel } = require('kafkajs');
const { SpanKind, ROOT_CONTEXT, propagation } = require('@opentelemetry/api');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');

const { KAFKA_BROKERS, TOPIC, GROUP } = process.env;
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'plain-consumer' }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 200 })],
});
provider.register({ propagator: new W3CTraceContextPropagator() });
const tracer = provider.getTracer('plain-consumer');

async function main() {
  const kafka = new Kafka({ brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: GROUP });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value.toString('utf8'));
      if (typeof event.traceparent !== 'string') return;
      const parent = propagation.extract(ROOT_CONTEXT, {
        traceparent: event.traceparent,
        tracestate: event.tracestate,
      });
      tracer.startSpan(`process ${TOPIC}`, { kind: SpanKind.CONSUMER }, parent).end();
    },
  });
  process.stdout.write('consuming\n');
  process.once('SIGTERM', async () => {
    await consumer.disconnect();
    await provider.shutdown();
    process.exit(0);
  });
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});

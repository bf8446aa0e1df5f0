import { InMemoryBus, worldTopic, type CloudEvent } from '@anvil/bus';
import { ManualClock } from '@anvil/runtime';
import { finishedSpan, recordSpans } from '@anvil/telemetry/testing';
import { loadPhysicsConfig } from '../config/physics-config';
import { loadRapier } from '../simulation/rapier';
import { ball } from '../simulation/test-support';
import { CheckpointService } from '../worlds/checkpoints';
import { WorldsService } from '../worlds/worlds.service';
import { memoryCheckpointStorage } from '../testing/checkpoint-test-support';

const HZ = 50;
const DT = 1000 / HZ;
const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function engine(bus: InMemoryBus, clock: ManualClock) {
  return new WorldsService({
    rapier: await loadRapier(),
    bus,
    clock,
    timers: clock,
    checkpoints: new CheckpointService({
      storage: memoryCheckpointStorage(),
      everyTicks: 5,
      keep: 10,
      onError: () => undefined,
    }),
    config: loadPhysicsConfig({
      ENGINE_TOKEN: 'metrics-test-engine-token',
      TICK_MODE: 'auto',
      TICK_HZ: String(HZ),
    }),
  });
}

/** One sample's value from the Prometheus text, e.g. `anvil_physics_worlds`. */
async function sample(worlds: WorldsService, series: string): Promise<number | undefined> {
  const text = await worlds.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('physics metrics and spans', () => {
  const spans = recordSpans();

  it('counts worlds, bodies, steps and their lag, new worlds, losses and the checkpoint age', async () => {
    const clock = new ManualClock();
    const worlds = await engine(new InMemoryBus(), clock);
    await worlds.init('w', undefined);
    const applied = worlds.apply('w', { type: 'spawnBody', body: ball('a', 2_000, 2_000) });
    for (let i = 0; i < 6; i++) {
      clock.advance(DT);
      await settle();
    }
    await applied;
    await worlds.get('w').flushCheckpoints();
    expect(worlds.get('w').stats().checkpoints?.saved).toBe(1);
    expect(await sample(worlds, 'anvil_physics_checkpoint_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(await sample(worlds, 'anvil_physics_worlds')).toBe(1);
    expect(await sample(worlds, 'anvil_physics_bodies')).toBe(1);
    expect(await sample(worlds, 'anvil_physics_steps_total')).toBe(6);
    expect(await sample(worlds, 'anvil_physics_tick_lag_seconds_count')).toBe(6);
    expect(await sample(worlds, 'anvil_physics_worlds_acquired_total{how="new"}')).toBe(1);
    await worlds.lose('w', 'a test');
    expect(await sample(worlds, 'anvil_physics_worlds_lost_total')).toBe(1);
    expect(await sample(worlds, 'anvil_physics_worlds')).toBe(0);
    await worlds.closeAll();
  });

  it("a command's tick joins its trace: the log entry's and the delta's publish, and the checkpoint", async () => {
    spans.reset();
    const clock = new ManualClock();
    const bus = new InMemoryBus();
    const worlds = await engine(bus, clock);
    await worlds.init('w', undefined);
    const applied = worlds.apply(
      'w',
      { type: 'spawnBody', body: ball('a', 2_000, 2_000) },
      '',
      undefined,
      CALLER,
    );
    for (let i = 0; i < 5; i++) {
      clock.advance(DT);
      await settle();
    }
    await applied;
    await worlds.get('w').flushCheckpoints();
    const parentOf = (name: string) => finishedSpan(spans, name).parentSpanContext?.spanId;
    expect(parentOf(`publish ${worldTopic('commands')}`)).toBe('b7ad6b7169203331');
    expect(parentOf(`publish ${worldTopic('physics')}`)).toBe('b7ad6b7169203331');
    expect(parentOf('checkpoint write')).toBe('b7ad6b7169203331');
    expect(parentOf('world load')).toBeUndefined();
    // The delta of tick 1 carries its publish span's context to consumers; later ticks carry none.
    const log = bus.broker.topic(worldTopic('physics'));
    const deltas: CloudEvent[] = [];
    for (let p = 0; p < log.partitionCount; p++)
      for (let o = log.startOffset(p); o < log.endOffset(p); o++)
        deltas.push(JSON.parse(log.read(p, o)!.value) as CloudEvent);
    const publish = finishedSpan(spans, `publish ${worldTopic('physics')}`).spanContext();
    expect(deltas.filter((d) => d.traceparent).map((d) => [d.tick, d.traceparent])).toEqual([
      [1, `00-${publish.traceId}-${publish.spanId}-01`],
    ]);
    await worlds.closeAll();
  });
});

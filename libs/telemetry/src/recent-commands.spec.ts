import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { RecentCommands } from './recent-commands';

function harness(maxTraces = 256) {
  const recent = new RecentCommands(maxTraces);
  const tracer = new BasicTracerProvider({ spanProcessors: [recent] }).getTracer('t');
  /** One command's spans as the apps make them: gateway, then its hops as children. */
  const command = (player: string, type = 'move', refused = false) => {
    const root = tracer.startSpan('gateway command', {
      attributes: { 'anvil.player.id': player, 'anvil.command.type': type },
    });
    const inRoot = trace.setSpan(ROOT_CONTEXT, root);
    const validate = tracer.startSpan('interaction validate', {}, inRoot);
    const apply = tracer.startSpan('physics apply', {}, trace.setSpan(ROOT_CONTEXT, validate));
    apply.setAttribute('anvil.tick', 42);
    if (refused) apply.setStatus({ code: SpanStatusCode.ERROR, message: 'no' });
    tracer.startSpan('pg.query:SELECT', {}, trace.setSpan(ROOT_CONTEXT, apply)).end();
    tracer.startSpan('publish anvil.world.physics', {}, trace.setSpan(ROOT_CONTEXT, apply)).end();
    apply.end();
    validate.end();
    root.end();
    return root.spanContext().traceId;
  };
  return { recent, command };
}

describe('RecentCommands', () => {
  it("gives a player's last commands, newest first, with the time of each hop", () => {
    const { recent, command } = harness();
    const first = command('ana', 'jump');
    command('bob');
    const last = command('ana', 'move', true);
    const commands = recent.commandsOf('ana');
    expect(commands.map((c) => [c.traceId, c.type])).toEqual([
      [last, 'move'],
      [first, 'jump'],
    ]);
    expect(commands[0]!.hops.map((h) => h.hop).sort()).toEqual([
      'delta publish',
      'gateway',
      'interaction engine',
      'physics',
    ]);
    const physics = commands[0]!.hops.find((h) => h.hop === 'physics')!;
    expect(physics).toMatchObject({ tick: 42, failed: true });
    expect(physics.startMs).toBeGreaterThanOrEqual(0);
    expect(recent.commandsOf('ana', 1)).toHaveLength(1);
    expect(recent.commandsOf('nobody')).toEqual([]);
  });

  it('keeps only the last traces', () => {
    const { recent, command } = harness(3);
    for (let i = 0; i < 10; i++) command('ana');
    expect(recent.commandsOf('ana', 100)).toHaveLength(3);
  });
});

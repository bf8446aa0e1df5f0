import type { Logger } from '@nestjs/common';
import {
  EngineError,
  EngineErrorCode,
  commandToWire,
  type PlayerCommand,
} from '@anvil/engine-contract';
import type { Clock } from '@anvil/runtime';
import type { InteractionEvents } from '../events/interaction-events';
import { bodyPositions } from '../physics/body-positions';
import type { WorldPhysics } from '../physics/world-physics';
import type { BodyPositions, CommandPlan, GameRules } from '../rules/game-rules';
import type { QueuedCommand } from './world-command-queue';

/** What a batch runs against: the world's rules and physics. */
export interface BatchWorld {
  rules: GameRules;
  physics: WorldPhysics;
}

/**
 * Runs one batch of a world's commands: each is validated against the rules state as the ones
 * before it left it (and committed at once), the intents go to the physics engine together,
 * and the answers and events follow in the batch's order. A command whose intent the physics
 * engine did not take is reverted. The answers wait for `persist` (the rules state saved under
 * the world's lease, with ownership); when it fails, they are that failure. Resolves with the
 * latest tick a command of the batch applies at.
 */
export async function runBatch(
  worldId: string,
  world: BatchWorld,
  batch: QueuedCommand[],
  deps: {
    events: InteractionEvents;
    clock: Clock;
    logger: Logger;
    persist?: () => Promise<void>;
  },
): Promise<number> {
  // While the world is being found again (its physics replica died), its commands wait.
  await world.physics.settled();
  const now = deps.clock.now();
  const positions = await positionsFor(worldId, world, batch);
  const planned: Array<{ queued: QueuedCommand; plan: CommandPlan; sent?: Promise<number> }> = [];
  for (const queued of batch) {
    let plan: CommandPlan;
    try {
      plan = world.rules.plan(queued.command, now, positionsOf(positions, queued.command, world));
    } catch (error) {
      queued.reject(error);
      continue;
    }
    plan.commit();
    const sent = plan.intent
      ? world.physics.send(commandToWire(plan.intent), queued.traceparent, queued.idempotencyKey)
      : undefined;
    // Observed below, in order; this copy only must not count as unhandled meanwhile.
    sent?.catch(() => undefined);
    planned.push({ queued, plan, sent });
  }
  let lastTick = world.physics.tick;
  const answers: Array<() => void> = [];
  for (const { queued, plan, sent } of planned) {
    let applyTick = world.physics.tick + 1;
    if (sent) {
      try {
        applyTick = await sent;
      } catch (error) {
        const kept = error instanceof EngineError && error.code === EngineErrorCode.AlreadyExists;
        if (!(plan.adoptsExistingBody && kept)) {
          plan.revert?.();
          queued.reject(error);
          continue;
        }
        deps.logger.log(`world ${worldId}: ${plan.entityId} is still in physics; taken back`);
      }
    }
    if (plan.event) await deps.events.publish(worldId, applyTick, plan.event);
    lastTick = Math.max(lastTick, applyTick);
    answers.push(() => queued.resolve({ applyTick, entityId: plan.entityId }));
  }
  if (answers.length > 0) await deps.persist?.();
  for (const answer of answers) answer();
  return lastTick;
}

/** The bodies' positions for a batch: none needed, known, or the physics engine's error. */
type Positions = { known?: BodyPositions } | { failed: unknown };

/**
 * The bodies' positions, from a physics Snapshot, when a command of the batch needs them (a tag
 * needs to know how far apart two players are); the error when the physics engine could not
 * say, which the commands that need them get.
 */
async function positionsFor(
  worldId: string,
  world: BatchWorld,
  batch: QueuedCommand[],
): Promise<Positions> {
  if (!batch.some((queued) => world.rules.needsPositions?.(queued.command))) return {};
  try {
    const snapshot = await world.physics.call((p) => p.calls.snapshot({ worldId }));
    world.physics.tick = Math.max(world.physics.tick, snapshot.tick);
    return { known: bodyPositions(snapshot.bodies) };
  } catch (failed) {
    return { failed };
  }
}

/** The positions a command is planned with; throws the physics error when it needs them and they are unknown. */
function positionsOf(
  positions: Positions,
  command: PlayerCommand,
  world: BatchWorld,
): BodyPositions | undefined {
  if (!('failed' in positions)) return positions.known;
  if (world.rules.needsPositions?.(command)) throw positions.failed;
  return undefined;
}

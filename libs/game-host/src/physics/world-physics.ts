import { Logger } from '@nestjs/common';
import {
  EngineUnavailableError,
  isUnknownWorldError,
  worldSettingsToWire,
  type Command,
  type SenderLease,
  type WorldSettings,
} from '@anvil/engine-contract';
import { asDependencyError } from './dependency-error';
import { initFollowing } from './init-following';
import type { PhysicsClients, PhysicsEngine } from './physics-clients';

/**
 * How long finding a world again may take when its physics replica is unreachable or drains:
 * longer than a lease (WORLD_LEASE_TTL_MS, 1 s by default) plus a takeover round, and than a
 * drain of 30 worlds onto two replicas that just started (up to 7.6 s to the last world in the
 * failover suite on two shared cores, where a world found 5 s after its drain began missed a
 * 5 s deadline). Meanwhile its commands wait (bounded by MAX_QUEUED_COMMANDS_PER_WORLD). The
 * gateway's ENGINE_RELOCATE_DEADLINE_MS (10 s) is longer.
 */
export const REROUTE_DEADLINE_MS = 8_000;
/**
 * Longest wait between two tries: a try costs the replica asked one lease read, and the world
 * is back at most this long after its new owner has it (the failover goal is 2 s).
 */
const REROUTE_MAX_DELAY_MS = 200;
/**
 * How long a keyed intent its physics owner refused UNAVAILABLE waits for the world to be found
 * again before it goes there: a drained world is taken in a few hundred ms; a dead owner's world
 * takes a lease and more, so its caller (whose calls have a deadline) hears UNAVAILABLE instead.
 */
export const KEYED_RESEND_WAIT_MS = 500;

/**
 * Where one world's physics lives, and the way back to it: calls go to the replica that owns
 * the world as last learned; when it lost the world (it restarted) the world is Init-ed there
 * again, and when it is gone, through the engine the world's binding names, whose replicas
 * know the new owner or take the world over.
 */
export class WorldPhysics {
  private readonly logger = new Logger('GameWorlds');
  /** The Init that puts the world back on a physics engine that lost it, while one runs. */
  private reinit?: Promise<unknown>;

  constructor(
    private readonly worldId: string,
    private readonly clients: PhysicsClients,
    /** The physics replica that owns the world, as last learned (calls go there). */
    public owner: PhysicsEngine,
    /** The physics engine the world's binding names (a Service in a cluster): asked when the owner is gone. */
    public bound: PhysicsEngine,
    /** The latest physics tick this engine has heard of. */
    public tick: number,
    /** The world's settings, to Init it again with. */
    private readonly settings: () => WorldSettings,
    /** This engine's lease on the world, sent with every call (none without ownership). */
    private readonly sender?: SenderLease,
  ) {}

  /** Resolves once the world is found again, when it is being looked for (never rejects). */
  async settled(): Promise<void> {
    if (this.reinit) await this.reinit.catch(() => undefined);
  }

  /**
   * Calls the world's physics engine; when it answers that it does not run the world (it
   * restarted), Inits the world there again, which restores its latest checkpoint and log, and
   * retries once.
   */
  async call<T>(call: (physics: PhysicsEngine) => Promise<T>): Promise<T> {
    try {
      return await call(this.owner);
    } catch (error) {
      if (!isUnknownWorldError(error)) return asDependencyError(error);
      await this.initAgain();
      return call(this.owner).catch(asDependencyError);
    }
  }

  /**
   * Sends one intent on the physics engine's command stream; when the engine answers that it
   * does not run the world (it restarted), Inits the world there again (once for the commands
   * that learn it together), which restores its checkpoint and log, and sends the intent once
   * more. Nothing is applied twice: an unknown world applied nothing. With an `idempotencyKey`
   * (the player command's) the physics engine applies the intent once per key, and answers a
   * key it already applied with the first result; so a keyed intent the owner refused
   * UNAVAILABLE is sent once more where the world lives now, when it is found within
   * KEYED_RESEND_WAIT_MS (the owner drained it).
   */
  async send(intent: Command, traceparent: string, idempotencyKey = ''): Promise<number> {
    const send = async () => {
      const { applyTick } = await this.owner.commands.submit(
        this.worldId,
        intent,
        traceparent,
        idempotencyKey,
        this.sender,
      );
      this.tick = Math.max(this.tick, applyTick - 1);
      return applyTick;
    };
    try {
      return await send();
    } catch (error) {
      // The owner may be gone, or have handed the world over (a drain refuses the commands it
      // had queued): the world's next commands go where it lives now. A keyed intent goes there
      // too when the world is found soon (a drain), since its physics engine applies a key
      // once; otherwise (a dead owner's lease has to end first) this engine's caller hears
      // UNAVAILABLE and sends it again itself. A keyless intent's outcome is unknown: not resent.
      if (isUnknownWorldError(error)) {
        await this.initAgain();
        return send().catch(asDependencyError);
      }
      const moved = error instanceof EngineUnavailableError && this.owner !== this.bound;
      if (moved && idempotencyKey !== '' && (await this.foundWithin(KEYED_RESEND_WAIT_MS)))
        return send().catch(asDependencyError);
      if (moved) void this.initAgain().catch(() => undefined);
      return asDependencyError(error);
    }
  }

  /** Starts finding the world again; true when it was found within `ms`. */
  private async foundWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
    try {
      return await Promise.race([
        this.initAgain().then(
          () => true,
          () => false,
        ),
        late,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Inits the world again where it lives: on its owner (which restores it if it lost the world),
   * following a redirect to another owner; when the owner cannot be reached, through the bound
   * engine. Callers that learn it together share one Init.
   */
  private initAgain(): Promise<unknown> {
    if (this.reinit) return this.reinit;
    const { worldId, clients } = this;
    this.logger.warn(`world ${worldId}: its physics replica lost it or is gone; finding it again`);
    const config = worldSettingsToWire(this.settings());
    const once = async () => {
      try {
        return await initFollowing(clients, worldId, config, this.owner, this.sender);
      } catch (error) {
        if (!(error instanceof EngineUnavailableError) || this.owner === this.bound) throw error;
        return initFollowing(clients, worldId, config, this.bound, this.sender);
      }
    };
    // A dead owner's lease runs for a while before another replica takes the world: retry an
    // unreachable owner with backoff, for at most REROUTE_DEADLINE_MS (real time, not the
    // rules' clock). Only a world that lives on a replica other than its bound engine has
    // another place to be.
    const replicated = this.owner !== this.bound;
    const again = async () => {
      const deadline = performance.now() + REROUTE_DEADLINE_MS;
      for (let delay = 50; ; delay = Math.min(delay * 2, REROUTE_MAX_DELAY_MS)) {
        try {
          return await once();
        } catch (error) {
          const unreachable = error instanceof EngineUnavailableError && replicated;
          if (!unreachable || performance.now() + delay > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    };
    this.reinit = again()
      .then(({ response, physics }) => {
        this.tick = response.tick;
        this.owner = physics;
      })
      .finally(() => (this.reinit = undefined));
    return this.reinit;
  }
}

import pino from 'pino';
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import {
  EngineServiceService,
  EngineUnavailableError,
  InitResponse,
  type InitRequest,
  WorldOwnedElsewhereError,
  isPlacedInit,
  toGrpcStatus,
} from '@anvil/engine-contract';
import type { World } from '@anvil/storage';
import { loadGatewayConfig } from '../config/gateway-config';
import { GatewayConfigService } from '../config/gateway-config.service';
import { MetricsService } from '../metrics/metrics.service';
import { TEST_SECRET } from '../testing/clients';
import { TEST_ENGINE_TOKEN } from '../testing/engines';
import { InteractionEngineService } from './interaction-engine.service';

/** What a replica answers to an Init: its own answer, or an error. */
type Answer = InitResponse | Error;

/**
 * A game-module replica on loopback that answers only Init (as scripted), over real gRPC: the
 * owner answers travel as the engines send them (status, error name, owner trailer).
 */
class Replica {
  address = '';
  answer: (worldId: string) => Answer = () => new EngineUnavailableError('not scripted');
  /** Each Init it received: placed (sent on by another replica's answer) or not. */
  readonly inits: Array<{ worldId: string; placed: boolean }> = [];
  private readonly server = new Server();

  async start(): Promise<this> {
    this.server.addService(EngineServiceService, {
      init: (
        call: ServerUnaryCall<InitRequest, InitResponse>,
        callback: sendUnaryData<InitResponse>,
      ) => {
        this.inits.push({ worldId: call.request.worldId, placed: isPlacedInit(call.metadata) });
        const answer = this.answer(call.request.worldId);
        if (answer instanceof Error) callback(toGrpcStatus(answer));
        else callback(null, answer);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.address = `127.0.0.1:${port}`;
    return this;
  }

  /** Answers as the world's owner: its own address (the engines' `owner_address`). */
  owns(ownerAddress = this.address): this {
    this.answer = (worldId) => InitResponse.fromPartial({ worldId, created: false, ownerAddress });
    return this;
  }

  /** Answers that another replica owns the world (FAILED_PRECONDITION with its address). */
  names(owner: Replica): this {
    this.answer = (worldId) =>
      new WorldOwnedElsewhereError(
        `world "${worldId}" is owned by ${owner.address}`,
        owner.address,
      );
    return this;
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

describe('InteractionEngineService.start: where a world of a replicated module is reached', () => {
  let service: Service;
  let entry: Replica; // the module's Service: it reaches some replica
  let a: Replica;
  let b: Replica;
  type Service = InteractionEngineService;

  const world = (id: string): World =>
    ({
      id,
      bindings: [
        {
          capabilityId: 'game.interaction',
          consumer: 'gateway',
          provider: 'tag-game',
          address: entry.address,
          shard: null,
        },
      ],
    }) as unknown as World;

  beforeEach(async () => {
    [entry, a, b] = await Promise.all(
      [new Replica(), new Replica(), new Replica()].map((r) => r.start()),
    );
    const config = new GatewayConfigService(
      loadGatewayConfig({ JWT_SECRET: TEST_SECRET, ENGINE_TOKEN: TEST_ENGINE_TOKEN }),
    );
    service = new InteractionEngineService(config, new MetricsService(), pino({ level: 'silent' }));
  });
  afterEach(() => {
    service.onApplicationShutdown();
    for (const replica of [entry, a, b]) replica.stop();
  });

  it("follows the owner the entry names, starts it there as placed, and sends the world's calls there", async () => {
    entry.names(a);
    a.owns();
    await expect(service.start(world('w1'))).resolves.toMatchObject({ ownerAddress: a.address });
    expect(entry.inits).toEqual([{ worldId: 'w1', placed: false }]);
    expect(a.inits).toEqual([{ worldId: 'w1', placed: true }]);
    expect(service.addressOf('w1')).toBe(a.address);
    expect(service.entryOf('w1')).toBe(entry.address);
  });

  it('pins the world to the owner its answer names when the entry reached the owner itself', async () => {
    entry.owns(a.address);
    await service.start(world('w1'));
    expect(service.addressOf('w1')).toBe(a.address);
    expect(a.inits).toEqual([]);
  });

  it('keeps the route while a start through the entry fails, and changes it once one succeeds', async () => {
    entry.owns(a.address);
    await service.start(world('w1'));
    // A died: the world is being found again through the entry, which cannot answer yet.
    entry.answer = () => new EngineUnavailableError('no replica runs it yet');
    await expect(service.start(world('w1'), undefined, entry.address)).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
    });
    expect(service.addressOf('w1')).toBe(a.address);
    // The entry now reaches B, which took the world over.
    entry.names(b);
    b.owns();
    await service.start(world('w1'), undefined, entry.address);
    expect(service.addressOf('w1')).toBe(b.address);
    expect(b.inits).toEqual([{ worldId: 'w1', placed: true }]);
  });

  it('sends the calls to the entry again when the owner is the entry itself (one replica)', async () => {
    entry.owns(a.address);
    await service.start(world('w1'));
    entry.owns();
    await service.start(world('w1'), undefined, entry.address);
    expect(service.addressOf('w1')).toBe(entry.address);
  });

  it('gives up after a few owner answers that send it round in circles', async () => {
    entry.names(a);
    a.names(b);
    b.names(a);
    // The last answer reaches the caller as the engine's refusal.
    await expect(service.start(world('w1'))).rejects.toMatchObject({ code: 'ENGINE_REJECTED' });
    expect(entry.inits.length + a.inits.length + b.inits.length).toBe(4);
    expect(service.addressOf('w1')).toBe(entry.address);
  });
});

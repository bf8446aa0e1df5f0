import { randomUUID } from 'node:crypto';

import { ConflictError } from '../errors';
import type { Storage } from '../storage';
import { aWorld, uid } from './fixtures';

/** Sessions open, acknowledge and close; the audit log finds entries by trace and by world. */
export function describeSessionsAndAudit(storage: () => Storage): void {
  describe('sessions', () => {
    it('opens, acknowledges sequence numbers forward only, and closes', async () => {
      const world = await storage().worlds.upsert(aWorld());
      const opened = await storage().sessions.open({
        worldId: world.id,
        playerId: 'ada',
        gateway: 'gw-1',
      });
      expect(opened).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        worldId: world.id,
        playerId: 'ada',
        gateway: 'gw-1',
        connectedAt: expect.any(Date),
        disconnectedAt: null,
        lastSeq: 0,
      });
      expect(await storage().sessions.listOpen(world.id)).toEqual([opened]);
      expect((await storage().sessions.ack(opened.id, 7)).lastSeq).toBe(7);
      expect((await storage().sessions.ack(opened.id, 3)).lastSeq).toBe(7);

      const closed = await storage().sessions.close(opened.id);
      expect(closed.disconnectedAt).toBeInstanceOf(Date);
      expect(await storage().sessions.close(opened.id)).toEqual(closed);
      expect(await storage().sessions.listOpen(world.id)).toEqual([]);
      await expect(storage().sessions.ack(opened.id, 8)).rejects.toBeInstanceOf(ConflictError);
    });

    it('closes every open session of a gateway that went away', async () => {
      const world = await storage().worlds.upsert(aWorld());
      const gateway = uid('gw');
      for (const playerId of ['a', 'b'])
        await storage().sessions.open({ worldId: world.id, playerId, gateway });
      const other = await storage().sessions.open({
        worldId: world.id,
        playerId: 'c',
        gateway: uid('gw'),
      });
      expect(await storage().sessions.closeAllForGateway(gateway)).toBe(2);
      expect(await storage().sessions.listOpen(world.id)).toEqual([other]);
    });

    it('reports unknown worlds and sessions', async () => {
      const open = storage().sessions.open({
        worldId: uid('missing'),
        playerId: 'p',
        gateway: 'g',
      });
      await expect(open).rejects.toMatchObject({ name: 'NotFoundError', entity: 'world' });
      expect(await storage().sessions.get(randomUUID())).toBeNull();
      await expect(storage().sessions.close(randomUUID())).rejects.toMatchObject({
        entity: 'session',
      });
    });
  });

  describe('audit', () => {
    it('records entries with trace ids and finds them by trace and by world', async () => {
      const traceId = randomUUID().replace(/-/g, '');
      const [a, b] = [
        await storage().worlds.upsert(aWorld()),
        await storage().worlds.upsert(aWorld()),
      ];
      const details = { bindings: 3, reason: 'résolu ✓', nested: { list: [1, 'two', null] } };
      const first = await storage().audit.record({
        actor: 'controller',
        action: 'world.resolved',
        worldId: a.id,
        traceId,
        details,
      });
      await storage().audit.record({
        actor: 'controller',
        action: 'world.resolved',
        worldId: b.id,
        traceId,
      });
      await storage().audit.record({ actor: 'cli', action: 'platform.checked', traceId });
      await storage().audit.record({
        actor: 'gateway',
        action: 'world.joined',
        worldId: a.id,
        traceId: uid('t'),
      });

      expect(first).toEqual({
        id: expect.stringMatching(/^\d+$/),
        at: expect.any(Date),
        actor: 'controller',
        action: 'world.resolved',
        worldId: a.id,
        traceId,
        details,
      });
      const trace = await storage().audit.listByTrace(traceId);
      expect(trace.map((e) => [e.action, e.worldId])).toEqual([
        ['world.resolved', a.id],
        ['world.resolved', b.id],
        ['platform.checked', null],
      ]);
      expect(trace[2].details).toEqual({});
      expect((await storage().audit.listByWorld(a.id)).map((e) => e.action)).toEqual([
        'world.joined',
        'world.resolved',
      ]);
      expect(await storage().audit.listByWorld(a.id, { limit: 1 })).toHaveLength(1);
    });
  });
}

import { flushPromises } from '../testing/manual-clock';
import type { ClusterWriter } from './cluster-writer';
import { LimitedWriter } from './limited-writer';

describe('LimitedWriter', () => {
  it('caps the writes in flight across callers', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = async () => {
      peak = Math.max(peak, ++inFlight);
      await flushPromises(2);
      inFlight--;
      return { metadata: { name: 'x' } };
    };
    const inner = {
      applyBinding: slow,
      applyWorldStatus: slow,
      deleteBinding: async () => void (await slow()),
      recordEvent: async () => void (await slow()),
    } as unknown as ClusterWriter;
    const writer = new LimitedWriter(inner, 3);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 ? writer.applyBinding({} as never) : writer.deleteBinding('ns', `b${i}`),
      ),
    );
    expect(peak).toBe(3);
  });

  it("lets Events wait behind the reconciles' writes", async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const written = (name: string) => async () => {
      order.push(name);
      if (name === 'apply') await held;
      return { metadata: { name } };
    };
    const inner = {
      applyBinding: written('apply'),
      applyWorldStatus: written('status'),
      recordEvent: async () => void order.push('event'),
    } as unknown as ClusterWriter;
    const writer = new LimitedWriter(inner, 1);
    const writes = [
      writer.applyBinding({} as never),
      writer.recordEvent({} as never, {} as never),
      writer.applyWorldStatus({} as never, {} as never),
    ];
    await flushPromises();
    release();
    await Promise.all(writes);
    expect(order).toEqual(['apply', 'status', 'event']);
  });
});

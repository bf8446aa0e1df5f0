import { skippedRecordOf } from './skipped-record';

const skip = {
  level: 'error' as const,
  namespace: 'bus',
  message: 'skipping a record that is not a valid Anvil CloudEvent',
  extra: { topic: 'anvil.world.commands', partition: 3, offset: '42', key: 'arena-1', error: 'x' },
};

describe('skippedRecordOf', () => {
  it("reads the record from the bus' skip line", () => {
    expect(skippedRecordOf(skip)).toEqual({
      topic: 'anvil.world.commands',
      partition: 3,
      offset: '42',
      key: 'arena-1',
    });
    expect(skippedRecordOf({ ...skip, extra: { ...skip.extra, key: undefined } })?.key).toBe('');
  });

  it('ignores every other line', () => {
    expect(skippedRecordOf({ ...skip, namespace: 'kafkajs/Consumer' })).toBeUndefined();
    expect(skippedRecordOf({ ...skip, level: 'warn' })).toBeUndefined();
    expect(skippedRecordOf({ ...skip, message: 'consumer crashed' })).toBeUndefined();
    expect(skippedRecordOf({ ...skip, extra: { topic: 't' } })).toBeUndefined();
  });
});

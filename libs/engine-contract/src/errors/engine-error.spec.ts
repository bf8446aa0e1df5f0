import { countResult, EngineErrorCode, EngineUnavailableError } from './engine-error';

describe('countResult', () => {
  it('counts a call by how it ended and hands the call back unchanged', async () => {
    const counted: string[] = [];
    const counter = { inc: ({ result }: { result: string }) => counted.push(result) };
    await expect(countResult(Promise.resolve(7), counter)).resolves.toBe(7);
    const refused = new EngineUnavailableError('draining');
    await expect(countResult(Promise.reject(refused), counter)).rejects.toBe(refused);
    await expect(countResult(Promise.reject(new Error('bug')), counter)).rejects.toThrow('bug');
    expect(counted).toEqual(['ok', EngineErrorCode.Unavailable, EngineErrorCode.Internal]);
  });
});

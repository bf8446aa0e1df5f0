import {
  ApplyBindingsError,
  InconsistentResolutionError,
  KubeApiError,
  describeError,
  isTerminal,
} from './errors';

describe('errors', () => {
  it('names every error class', () => {
    expect(new InconsistentResolutionError('x').name).toBe('InconsistentResolutionError');
    expect(new KubeApiError('x', 500).name).toBe('KubeApiError');
    expect(new ApplyBindingsError([{ name: 'b', error: new Error('x') }]).name).toBe(
      'ApplyBindingsError',
    );
    expect(describeError(new KubeApiError('apply: HTTP 500', 500))).toBe(
      'KubeApiError: apply: HTTP 500',
    );
  });

  it.each<[string, unknown, boolean]>([
    ['a bug in the resolution', new InconsistentResolutionError('x'), true],
    [
      'bindings the API server refuses as invalid',
      new ApplyBindingsError([
        { name: 'a', error: new KubeApiError('x', 422) },
        { name: 'b', error: new KubeApiError('x', 400) },
      ]),
      true,
    ],
    [
      'one invalid binding and one server error',
      new ApplyBindingsError([
        { name: 'a', error: new KubeApiError('x', 422) },
        { name: 'b', error: new KubeApiError('x', 503) },
      ]),
      false,
    ],
    [
      'a conflict',
      new ApplyBindingsError([{ name: 'a', error: new KubeApiError('x', 409) }]),
      false,
    ],
    [
      'a network error',
      new ApplyBindingsError([{ name: 'a', error: new Error('ECONNREFUSED') }]),
      false,
    ],
    ['a plain error', new Error('x'), false],
  ])('%s is terminal: %s', (_case, error, terminal) => {
    expect(isTerminal(error)).toBe(terminal);
  });
});

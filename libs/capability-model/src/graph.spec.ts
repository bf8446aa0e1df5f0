import { elementaryCycles } from './graph';

/** Adjacency lists (sorted) from "a>b" edges over vertices 0..n-1. */
function graph(n: number, edges: string): number[][] {
  const adjacency: number[][] = Array.from({ length: n }, () => []);
  for (const edge of edges.split(' ').filter(Boolean)) {
    const [from, to] = edge.split('>').map(Number);
    adjacency[from].push(to);
  }
  return adjacency.map((list) => [...new Set(list)].sort((a, b) => a - b));
}

describe('elementaryCycles', () => {
  it.each([
    ['no edges', graph(3, ''), []],
    ['a chain', graph(3, '0>1 1>2'), []],
    ['a 2-cycle', graph(2, '0>1 1>0'), [[0, 1]]],
    ['a triangle, written from its least vertex', graph(3, '2>0 0>1 1>2'), [[0, 1, 2]]],
    [
      'two cycles sharing a vertex',
      graph(3, '0>1 1>0 0>2 2>0'),
      [
        [0, 1],
        [0, 2],
      ],
    ],
    [
      'nested cycles',
      graph(3, '0>1 1>2 2>0 1>0'),
      [
        [0, 1],
        [0, 1, 2],
      ],
    ],
    ['a self-loop', graph(2, '1>1 0>1'), [[1]]],
    [
      'separate components',
      graph(5, '3>4 4>3 0>1 1>0'),
      [
        [0, 1],
        [3, 4],
      ],
    ],
  ])('%s', (_, adjacency, expected) => {
    expect(elementaryCycles(adjacency, 100)).toEqual(expected);
  });

  it('finds all cycles of a complete graph (K4 has 20) and stops at the limit', () => {
    const k4 = graph(4, '0>1 0>2 0>3 1>0 1>2 1>3 2>0 2>1 2>3 3>0 3>1 3>2');
    const all = elementaryCycles(k4, 1000);
    expect(all).toHaveLength(20);
    expect(new Set(all.map((c) => c.join())).size).toBe(20);
    expect(all.every((c) => c[0] === Math.min(...c))).toBe(true);
    expect(elementaryCycles(k4, 5)).toEqual(all.slice(0, 5));
  });

  it('handles a long cycle without recursion limits', () => {
    const n = 50_000;
    const ring = Array.from({ length: n }, (_, i) => [(i + 1) % n]);
    const [cycle] = elementaryCycles(ring, 10);
    expect(cycle).toHaveLength(n);
  });

  it('stays cheap on a dense graph with exponentially many cycles', () => {
    const n = 300;
    const dense = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => j).filter((j) => j !== i),
    );
    expect(elementaryCycles(dense, 21)).toHaveLength(21);
  });
});

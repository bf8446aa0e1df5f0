/**
 * Elementary cycles of a directed graph (Johnson, 1975), iterative so deep graphs cannot
 * overflow the stack, and stopping after `limit` cycles so a dense graph (whose cycles can be
 * exponentially many) stays cheap: O((V + E) * (limit + 1)).
 *
 * Vertices are 0..n-1 and adjacency lists must be sorted ascending: cycles come out in a
 * deterministic order, each starting at its least vertex (the canonical rotation).
 */
export function elementaryCycles(
  adjacency: readonly (readonly number[])[],
  limit: number,
): number[][] {
  const cycles: number[][] = [];
  const scratch = searchScratch(adjacency.length);
  let from = 0;
  while (from < adjacency.length && cycles.length < limit) {
    const component = leastCyclicComponent(adjacency, from, scratch);
    if (!component) break;
    circuits(adjacency, component.start, component.members, cycles, limit, scratch);
    from = component.start + 1;
  }
  return cycles;
}

/**
 * Per-vertex arrays for both searches, allocated once per elementaryCycles call. A depth-first
 * path holds each vertex at most once, so its frames (the vertex's next edge to try, and
 * whether a cycle was found below it) fit in arrays indexed by depth.
 */
function searchScratch(n: number) {
  const array = () => new Array<number>(n).fill(0);
  return {
    index: array(),
    low: array(),
    component: array(),
    onStack: array(),
    blocked: array(),
    nextEdge: array(),
    found: array(),
  };
}

type SearchScratch = ReturnType<typeof searchScratch>;

/** Strong components of the subgraph on vertices >= from (Tarjan); the one with the least vertex among those with a cycle. */
function leastCyclicComponent(
  adjacency: readonly (readonly number[])[],
  from: number,
  scratch: SearchScratch,
) {
  const n = adjacency.length;
  const { index, low, component, onStack, nextEdge } = scratch;
  index.fill(-1);
  low.fill(0);
  component.fill(-1);
  onStack.fill(0);
  const stack: number[] = [];
  const sizes: number[] = [];
  const path: number[] = [];
  let counter = 0;
  /** Tarjan's depth-first search from root: every vertex it reaches gets its component. */
  const search = (root: number): void => {
    path.push(root);
    nextEdge[0] = 0;
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (path.length > 0) {
      const depth = path.length - 1;
      const v = path[depth];
      const edges = adjacency[v];
      if (nextEdge[depth] < edges.length) {
        const w = edges[nextEdge[depth]++];
        if (w < from) continue;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          path.push(w);
          nextEdge[depth + 1] = 0;
        } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      path.pop();
      if (depth > 0) {
        const parent = path[depth - 1];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        let size = 0;
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component[w] = sizes.length;
          size++;
        } while (w !== v);
        sizes.push(size);
      }
    }
  };
  for (let root = from; root < n; root++) {
    if (index[root] === -1) search(root);
    // root's component is known now, and no vertex before root is on a cycle.
    const id = component[root];
    if (sizes[id] > 1 || adjacency[root].includes(root)) {
      return { start: root, members: (w: number) => w >= from && component[w] === id };
    }
  }
  return undefined;
}

/** Johnson's CIRCUIT from `start` within one strong component, appending cycles until `limit`. */
function circuits(
  adjacency: readonly (readonly number[])[],
  start: number,
  member: (v: number) => boolean,
  out: number[][],
  limit: number,
  scratch: SearchScratch,
): void {
  const { blocked, nextEdge, found } = scratch;
  blocked.fill(0);
  const blockers = new Map<number, Set<number>>();
  const unblock = (u: number) => {
    blocked[u] = 0;
    const pending = [u];
    while (pending.length > 0) {
      const x = pending.pop() as number;
      for (const w of blockers.get(x) ?? []) {
        if (blocked[w]) {
          blocked[w] = 0;
          pending.push(w);
        }
      }
      blockers.delete(x);
    }
  };
  const path = [start];
  nextEdge[0] = 0;
  found[0] = 0;
  blocked[start] = 1;
  while (path.length > 0) {
    const depth = path.length - 1;
    const v = path[depth];
    const edges = adjacency[v];
    if (nextEdge[depth] < edges.length) {
      const w = edges[nextEdge[depth]++];
      if (!member(w)) continue;
      if (w === start) {
        out.push([...path]);
        found[depth] = 1;
        if (out.length >= limit) return;
      } else if (!blocked[w]) {
        path.push(w);
        blocked[w] = 1;
        nextEdge[depth + 1] = 0;
        found[depth + 1] = 0;
      }
      continue;
    }
    path.pop();
    if (found[depth]) unblock(v);
    else {
      for (const w of edges) {
        if (!member(w)) continue;
        let set = blockers.get(w);
        if (!set) blockers.set(w, (set = new Set()));
        set.add(v);
      }
    }
    if (depth > 0 && found[depth]) found[depth - 1] = 1;
  }
}

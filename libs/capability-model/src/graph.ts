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
  let from = 0;
  while (from < adjacency.length && cycles.length < limit) {
    const component = leastCyclicComponent(adjacency, from);
    if (!component) break;
    circuits(adjacency, component.start, component.members, cycles, limit);
    from = component.start + 1;
  }
  return cycles;
}

interface Frame {
  v: number;
  next: number;
  found: boolean;
}

/** Strong components of the subgraph on vertices >= from (Tarjan); the one with the least vertex among those with a cycle. */
function leastCyclicComponent(adjacency: readonly (readonly number[])[], from: number) {
  const n = adjacency.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const component = new Array<number>(n).fill(-1);
  const onStack = new Array<number>(n).fill(0);
  const stack: number[] = [];
  const sizes: number[] = [];
  let counter = 0;
  for (let root = from; root < n; root++) {
    if (index[root] !== -1) continue;
    const frames: Frame[] = [{ v: root, next: 0, found: false }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const edges = adjacency[frame.v];
      if (frame.next < edges.length) {
        const w = edges[frame.next++];
        if (w < from) continue;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          frames.push({ v: w, next: 0, found: false });
        } else if (onStack[w]) low[frame.v] = Math.min(low[frame.v], index[w]);
        continue;
      }
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1].v;
        low[parent] = Math.min(low[parent], low[frame.v]);
      }
      if (low[frame.v] === index[frame.v]) {
        let size = 0;
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component[w] = sizes.length;
          size++;
        } while (w !== frame.v);
        sizes.push(size);
      }
    }
  }
  for (let v = from; v < n; v++) {
    const id = component[v];
    if (sizes[id] > 1 || adjacency[v].includes(v)) {
      return { start: v, members: (w: number) => w >= from && component[w] === id };
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
): void {
  const blocked = new Array<number>(adjacency.length).fill(0);
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
  const frames: Frame[] = [{ v: start, next: 0, found: false }];
  blocked[start] = 1;
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    const edges = adjacency[frame.v];
    if (frame.next < edges.length) {
      const w = edges[frame.next++];
      if (!member(w)) continue;
      if (w === start) {
        out.push([...path]);
        frame.found = true;
        if (out.length >= limit) return;
      } else if (!blocked[w]) {
        path.push(w);
        blocked[w] = 1;
        frames.push({ v: w, next: 0, found: false });
      }
      continue;
    }
    frames.pop();
    path.pop();
    if (frame.found) unblock(frame.v);
    else {
      for (const w of edges) {
        if (!member(w)) continue;
        let set = blockers.get(w);
        if (!set) blockers.set(w, (set = new Set()));
        set.add(frame.v);
      }
    }
    if (frames.length > 0 && frame.found) frames[frames.length - 1].found = true;
  }
}

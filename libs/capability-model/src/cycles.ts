import { RequiredGraph } from './bind';
import { diagnostic } from './diagnostics';
import { elementaryCycles } from './graph';
import { compareStrings } from './read';
import { Diagnostic, DIAGNOSTIC_CODES as D } from './types';

/** Most RequiredCycle warnings for one world; a dense graph can have exponentially many cycles. */
export const MAX_REPORTED_CYCLES = 20;
/** Longest cycle spelled out in full in a message. */
const MAX_CYCLE_IN_MESSAGE = 16;

/**
 * Rule 8: modules that require each other (A requires B requires A) through required
 * bindings are allowed, and reported once per elementary cycle as a RequiredCycle warning,
 * written from its least module name (the canonical rotation) with the capabilities on each
 * hop: `required cycle: a -[x]-> b -[y]-> a`. Beyond MAX_REPORTED_CYCLES, one more warning
 * says the list is cut.
 */
export function requiredCycleDiagnostics(graph: RequiredGraph): Diagnostic[] {
  const { modules, from, to } = graph;
  if (from.length === 0) return [];
  const outgoing: number[][] = modules.map(() => []);
  for (let i = 0; i < from.length; i++) outgoing[from[i]].push(i);
  const adjacency = outgoing.map((edges) =>
    [...new Set(edges.map((e) => to[e]))].sort((a, b) => a - b),
  );
  const cycles = elementaryCycles(adjacency, MAX_REPORTED_CYCLES + 1);
  const hop = (u: number, v: number) =>
    outgoing[u]
      .filter((e) => to[e] === v)
      .map((e) => graph.capabilityIds[e])
      .sort(compareStrings)
      .join(',');
  const out = cycles.slice(0, MAX_REPORTED_CYCLES).map((cycle) => {
    const message = `required cycle: ${describeCycle(cycle, modules, hop)}`;
    return diagnostic('warning', D.requiredCycle, modules[cycle[0]], '', message);
  });
  if (cycles.length > MAX_REPORTED_CYCLES) {
    const message = `more than ${MAX_REPORTED_CYCLES} required cycles; only the first ${MAX_REPORTED_CYCLES} are listed`;
    out.push(diagnostic('warning', D.requiredCycle, '', '', message));
  }
  return out;
}

function describeCycle(
  cycle: number[],
  modules: string[],
  hop: (u: number, v: number) => string,
): string {
  const shown = cycle.slice(0, MAX_CYCLE_IN_MESSAGE);
  let text = modules[shown[0]];
  for (let i = 1; i < shown.length; i++)
    text += ` -[${hop(shown[i - 1], shown[i])}]-> ${modules[shown[i]]}`;
  const first = modules[cycle[0]];
  if (cycle.length > shown.length) return `${text} -> ... (${cycle.length} modules) -> ${first}`;
  return `${text} -[${hop(shown[shown.length - 1], cycle[0])}]-> ${first}`;
}

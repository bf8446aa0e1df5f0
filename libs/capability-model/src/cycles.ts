import { RequiredGraph } from './bind';
import { diagnostic } from './diagnostics';
import { elementaryCycles } from './graph';
import { compareStrings, dropRepeats, sortStable } from './read';
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
  const successors = (edges: number[]) =>
    dropRepeats(
      sortStable(
        edges.map((e) => to[e]),
        ascending,
      ),
      ascending,
    );
  const cycles = elementaryCycles(outgoing.map(successors), MAX_REPORTED_CYCLES + 1);
  const hop = (u: number, v: number) => hopLabel(graph, outgoing[u], v);
  const out = cycles.slice(0, MAX_REPORTED_CYCLES).map((cycle) => {
    const message = describeCycle(cycle, modules, hop);
    return diagnostic('warning', D.requiredCycle, modules[cycle[0]], '', message);
  });
  if (cycles.length > MAX_REPORTED_CYCLES) {
    const message = `more than ${MAX_REPORTED_CYCLES} required cycles; only the first ${MAX_REPORTED_CYCLES} are listed`;
    out.push(diagnostic('warning', D.requiredCycle, '', '', message));
  }
  return out;
}

const ascending = (a: number, b: number) => a - b;

/** The capabilities on the hop from an edge list's vertex to v, sorted and comma-separated. */
function hopLabel({ to, capabilityIds }: RequiredGraph, edges: number[], v: number): string {
  let first: string | undefined;
  let all: string[] | undefined; // only built when the hop has several capabilities
  for (const e of edges) {
    if (to[e] !== v) continue;
    if (first === undefined) first = capabilityIds[e];
    else (all ??= [first]).push(capabilityIds[e]);
  }
  return all ? sortStable(all, compareStrings).join(',') : (first ?? '');
}

/** `a -[x]-> b -[y]-> a`, concatenated (a rope V8 flattens when read, as in unresolved.ts). */
function describeCycle(
  cycle: number[],
  modules: string[],
  hop: (u: number, v: number) => string,
): string {
  const shown = Math.min(cycle.length, MAX_CYCLE_IN_MESSAGE);
  const first = modules[cycle[0]];
  let text = `required cycle: ${first}`;
  for (let i = 1; i < shown; i++)
    text += ` -[${hop(cycle[i - 1], cycle[i])}]-> ${modules[cycle[i]]}`;
  if (cycle.length > shown) text += ` -> ... (${cycle.length} modules) -> ${first}`;
  else text += ` -[${hop(cycle[shown - 1], cycle[0])}]-> ${first}`;
  return text;
}

// Judges an import graph against the floors: an import that climbs a floor, a folder no floor names, or a cycle (of files or of folders).
import { floorIndex, folderOf, FLOORS } from './floors.ts';
import type { ImportEdge } from './import-graph.ts';

export interface LayeringReport {
  /** `file:line imports target (floor a climbs to floor b)`, one per offending import. */
  climbs: string[];
  /** Folders under harness/ that no floor names. */
  unplaced: string[];
  /** Each cycle as its path, `a -> b -> a`: files, then folders. */
  cycles: string[];
}

function describeClimb(edge: ImportEdge): string {
  const from = FLOORS[floorIndex(folderOf(edge.from))!]!.name;
  const to = FLOORS[floorIndex(folderOf(edge.to))!]!.name;
  return `${edge.from}:${edge.line} imports ${edge.specifier} (${to} is above ${from})`;
}

/** Strongly connected components with more than one node, or a node importing itself (Tarjan, iterative). */
export function findCycles(nodes: Iterable<string>, next: (node: string) => Iterable<string>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; successors: Iterator<string> }> = [];
    const enter = (node: string): void => {
      index.set(node, counter);
      low.set(node, counter++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, successors: next(node)[Symbol.iterator]() });
    };
    enter(root);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const step = frame.successors.next();
      if (!step.done) {
        const successor = step.value;
        if (!index.has(successor)) enter(successor);
        else if (onStack.has(successor)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(successor)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = component.length === 1 && [...next(frame.node)].includes(frame.node);
        if (component.length > 1 || selfLoop) cycles.push(component.reverse());
      }
    }
  }
  return cycles;
}

function adjacency(pairs: ReadonlyArray<readonly [string, string]>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [from, to] of pairs) {
    if (!graph.has(from)) graph.set(from, new Set());
    if (!graph.has(to)) graph.set(to, new Set());
    graph.get(from)!.add(to);
  }
  return graph;
}

function cyclePaths(graph: Map<string, Set<string>>): string[] {
  return findCycles(graph.keys(), (node) => graph.get(node) ?? []).map((members) => [...members, members[0]].join(' -> '));
}

export function judgeLayering(edges: ReadonlyArray<ImportEdge>): LayeringReport {
  const unplaced = new Set<string>();
  const climbs: string[] = [];
  for (const edge of edges) {
    const from = floorIndex(folderOf(edge.from));
    const to = floorIndex(folderOf(edge.to));
    if (from === undefined) unplaced.add(folderOf(edge.from));
    if (to === undefined) unplaced.add(folderOf(edge.to));
    if (from !== undefined && to !== undefined && to < from) climbs.push(describeClimb(edge));
  }
  const fileCycles = cyclePaths(adjacency(edges.map((edge) => [edge.from, edge.to] as const)));
  const folderPairs = edges
    .map((edge) => [folderOf(edge.from), folderOf(edge.to)] as const)
    .filter(([from, to]) => from !== to);
  const folderCycles = cyclePaths(adjacency(folderPairs)).map((path) => `folders ${path}`);
  return { climbs, unplaced: [...unplaced].sort(), cycles: [...fileCycles, ...folderCycles] };
}

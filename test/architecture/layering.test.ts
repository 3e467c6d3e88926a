// harness/ keeps its floors: no import climbs, no cycle of files or folders; and the check itself catches each kind of fault.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FLOORS } from './floors.ts';
import { importGraph, importsOf, type ImportEdge } from './import-graph.ts';
import { findCycles, judgeLayering } from './layering.ts';

const HARNESS = fileURLToPath(new URL('../../harness/', import.meta.url));

describe('the floors of harness/', () => {
  const edges = importGraph(HARNESS);

  it('reads the imports (a sanity floor: the harness has hundreds)', () => {
    expect(edges.length).toBeGreaterThan(500);
  });

  it('name every folder under harness/, each once', () => {
    const folders = readdirSync(HARNESS, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    const placed = FLOORS.flatMap((floor) => floor.folders);
    expect(new Set(placed).size).toBe(placed.length);
    expect(folders.filter((folder) => !placed.includes(folder))).toEqual([]);
  });

  it('have no import that climbs a floor', () => {
    expect(judgeLayering(edges).climbs).toEqual([]);
  });

  it('have no cycle of files or of folders', () => {
    expect(judgeLayering(edges).cycles).toEqual([]);
  });
});

describe('the layering check', () => {
  const edge = (from: string, to: string, line = 1): ImportEdge => ({ from, to, line, specifier: `./${to}` });

  it('reads static, dynamic, type-only and side-effect imports with their lines', () => {
    const text = "import { a } from '../core/wait.ts';\nimport type { B } from './b.ts';\nconst c = await import('../model/results.ts');\nimport './side.ts';\n";
    expect(importsOf('/h', 'runner/x.ts', text).map((found) => `${found.to}:${found.line}`).sort()).toEqual(
      ['core/wait.ts:1', 'model/results.ts:3', 'runner/b.ts:2', 'runner/side.ts:4'].sort(),
    );
  });

  it('fails on a deliberately added climbing import, naming the file, the line and the floors', () => {
    const report = judgeLayering([edge('machine/qemu-machine.ts', 'report/console.ts', 7)]);
    expect(report.climbs).toEqual(['machine/qemu-machine.ts:7 imports ./report/console.ts (outputs is above machines)']);
  });

  it('fails on a deliberately added cycle between two files of one folder', () => {
    const report = judgeLayering([edge('steps/a.ts', 'steps/b.ts'), edge('steps/b.ts', 'steps/a.ts')]);
    expect(report.cycles).toEqual(['steps/a.ts -> steps/b.ts -> steps/a.ts']);
  });

  it('fails on a cycle of folders on one floor, though no two files import each other', () => {
    const report = judgeLayering([edge('deploy/a.ts', 'kernel/b.ts'), edge('kernel/c.ts', 'deploy/d.ts')]);
    expect(report.climbs).toEqual([]);
    expect(report.cycles).toEqual(['folders deploy -> kernel -> deploy']);
  });

  it('names a folder that no floor holds', () => {
    expect(judgeLayering([edge('gadgets/a.ts', 'core/errors.ts')]).unplaced).toEqual(['gadgets']);
  });

  it('finds a self-import and a three-file cycle, and nothing in a chain', () => {
    const graph = new Map([['a', ['a']], ['b', ['c']], ['c', ['d']], ['d', ['b']], ['e', ['f']], ['f', []]]);
    expect(findCycles(graph.keys(), (node) => graph.get(node) ?? [])).toEqual([['a'], ['b', 'c', 'd']]);
  });
});

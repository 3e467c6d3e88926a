import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../../harness/report/compare/compare.ts';
import { renderCompareJunit, writeCompareJunit } from '../../../harness/report/compare/junit.ts';
import { QEMU_DIED, SMMU_FAULT, everyVerdict, run, sides } from './fixtures.ts';
import { junitParser, type XmlNode } from '../junit-parser.ts';

type Node = XmlNode;
const parser = junitParser;

const comparison = compareRuns(...everyVerdict);
const xml = renderCompareJunit(comparison);
const root: Node = parser.parse(xml).testsuites;
const cases: Node[] = root.testsuite.flatMap((suite: Node) => suite.testcase);
const byName = (name: string) => cases.find((c) => c.name === name)!;
const text = (node: Node) => (typeof node === 'string' ? node : String(node['#text'] ?? ''));

describe('renderCompareJunit', () => {
  it('has one testcase per scenario@profile, suites per profile in PROFILES order', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(comparison.runs.map((r) => r.id).sort());
    expect(root.testsuite.map((s: Node) => s.name)).toEqual(['compare kvm-el2', 'compare xen-el1', 'compare el1']);
    expect(root).toMatchObject({ tests: '9', failures: '1', errors: '1', skipped: '0' });
    expect(byName('adsp@kvm-el2').classname).toBe('compare.kvm-el2');
  });

  it('makes a regression a <failure> carrying the patched failure, its evidence and the baseline status', () => {
    const failure = byName('adsp@kvm-el2').failure;
    expect(failure.type).toBe('F_RPROC_STATE');
    expect(failure.message).toBe(`regressed: ${SMMU_FAULT.code}: ${SMMU_FAULT.message}`);
    const body = text(failure);
    expect(body).toContain('baseline: PASS on 6.1.0-26-arm64');
    expect(body).toContain('patched: FAIL on 6.1.0-26-arm64+');
    for (const line of SMMU_FAULT.evidence) expect(body).toContain(line);
  });

  it('makes an inconclusive pair an <error> naming the side, and no other verdict a failure or error', () => {
    const error = byName('adsp@el1').error;
    expect(error.message).toBe(`inconclusive: ERROR on the patched side: ${QEMU_DIED.code}: ${QEMU_DIED.message}`);
    const others = cases.filter((c) => c.name !== 'adsp@kvm-el2' && c.name !== 'adsp@el1');
    expect(others).toHaveLength(7);
    for (const testcase of others) {
      expect(testcase.failure, testcase.name).toBeUndefined();
      expect(testcase.error, testcase.name).toBeUndefined();
      expect(testcase.skipped, testcase.name).toBeUndefined();
    }
    expect(text(byName('cdsp@kvm-el2')['system-out'])).toMatch(/^still-failing \(failure changed\): cdsp@kvm-el2/);
    expect(text(byName('boot@kvm-el2')['system-out'])).toMatch(/^fixed: boot@kvm-el2/);
    expect(text(byName('stop@el1')['system-out'])).toContain('patched: no result');
  });

  it('carries the counts per profile suite', () => {
    const suite = (name: string) => root.testsuite.find((s: Node) => s.name === name);
    expect(suite('compare kvm-el2')).toMatchObject({ tests: '3', failures: '1', errors: '0' });
    expect(suite('compare el1')).toMatchObject({ tests: '4', failures: '0', errors: '1' });
  });

  it('escapes kernel text through xml.ts so the file parses back to the same characters', () => {
    const quiet = compareRuns(...sides([[run('x', 'el1', 'pass'), run('x', 'el1', 'error', { failure: QEMU_DIED, side: 'patched' })]]));
    const parsed = parser.parse(renderCompareJunit(quiet)).testsuites.testsuite[0].testcase[0];
    expect(text(parsed.error)).toContain('qemu-system-aarch64: \\x1b[31mhardware error\\x1b[0m <edu> & friends');
  });

  it('writes the file atomically where asked', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'pilot-compare-junit-'));
    try {
      await writeCompareJunit(comparison, join(folder, 'compare-junit.xml'));
      expect(await readFile(join(folder, 'compare-junit.xml'), 'utf8')).toBe(xml);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

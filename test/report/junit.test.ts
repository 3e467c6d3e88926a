import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJunitReporter, renderJunit, writeJunit } from '../../harness/report/junit.ts';
import { escapeXmlAttribute, escapeXmlText } from '../../harness/report/xml.ts';
import { errorRun, failRun, passRun, skipRun, summaryOf } from './fixtures.ts';
import { junitParser, type XmlNode } from './junit-parser.ts';

type Node = XmlNode;
const parser = junitParser;

const summary = summaryOf([passRun, failRun, errorRun, skipRun]);
const xml = renderJunit(summary, { hostname: 'test-host' });
const root: Node = parser.parse(xml).testsuites;
const cases: Node[] = root.testsuite.flatMap((suite: Node) => suite.testcase);
/** A run's testcase: its profile is the classname (GitLab groups by it), its scenario the name. */
const testcaseOf = (profile: string, scenario: string) => cases.find((c) => c.classname === profile && c.name === scenario)!;
const text = (node: Node) => (typeof node === 'string' ? node : String(node['#text'] ?? ''));

/** XML 1.0's Char production, checked code point by code point rather than with the writer's own regex. */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

let scratch: string | undefined;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('renderJunit', () => {
  it('counts runs by status overall and per profile suite', () => {
    expect(root).toMatchObject({ name: 'pilot', tests: '4', failures: '1', errors: '1', skipped: '1', time: '61.000', timestamp: '2025-03-01T10:00:00' });
    const suites = root.testsuite.map((s: Node) => [s.name, s.tests, s.failures, s.errors, s.skipped, s.hostname]);
    expect(suites).toEqual([
      ['el1', '2', '0', '1', '0', 'test-host'],
      ['kvm-el2', '1', '1', '0', '0', 'test-host'],
      ['xen-el1', '1', '0', '0', '1', 'test-host'],
    ]);
    expect(root.testsuite[0].time).toBe('12.100');
    expect(root.testsuite[0].timestamp).toBe('2025-03-01T10:00:00');
  });

  it('writes a failed assertion as <failure> with the step, the evidence and the hint', () => {
    const failed = testcaseOf('kvm-el2', 'adsp');
    expect(failed).toMatchObject({ name: 'adsp', file: 'scenarios/adsp.yaml', time: '42.500' });
    expect(failed.error).toBeUndefined();
    expect(failed.failure.type).toBe('F_DMESG_FORBIDDEN');
    expect(failed.failure.message).toBe('F_DMESG_FORBIDDEN: forbidden line appeared: arm-smmu-v3 .* event 0x10');
    const body = text(failed.failure).split('\n');
    expect(body[0]).toBe('FAIL — the kernel did not do what was asserted');
    expect(body[1]).toBe('at step 3 "expect-dmesg absent arm-smmu-v3 .* event 0x10" (scenarios/adsp.yaml:14)');
    expect(body.filter((l) => l.includes('event 0x10 received'))).toHaveLength(12);
    expect(body).toContain('hint: does the DT node of adsp carry iommus?');
    const steps = text(failed['system-out']).split('\n');
    expect(steps).toContain('step 3 FAIL expect-dmesg absent arm-smmu-v3 .* event 0x10 (1.2 s) [line 14]');
    expect(steps).toContain('step 4 SKIP rproc adsp stop (0 ms) [line 13]');
  });

  it('writes an infrastructure failure as <error>, never as <failure>', () => {
    const errored = testcaseOf('el1', 'adsp');
    expect(errored.failure).toBeUndefined();
    expect(errored.error.type).toBe('E_QEMU_EXIT');
    expect(errored.error.message).toBe('E_QEMU_EXIT: QEMU exited with "hardware error" <code 1> & no core');
    const body = text(errored.error);
    expect(body).toContain('ERROR — the harness or machine broke; this says nothing about the kernel');
    expect(body).toContain('before any step; last phase recorded: kernel-boot');
  });

  it('marks a run that never ran as <skipped> and keeps dotted scenario names out of the package', () => {
    const skipped = testcaseOf('xen-el1', 'iris.decoder');
    expect(skipped.name).toBe('iris.decoder');
    expect(skipped.skipped.message).toBe('E_PROFILE_UNAVAILABLE: xen-hypervisor-4.17-arm64 is not installed');
    expect(skipped.failure ?? skipped.error).toBeUndefined();
  });

  it('lists a passing run with its steps and checks and nothing else', () => {
    const passed = testcaseOf('el1', 'boot');
    expect(passed.failure ?? passed.error ?? passed.skipped).toBeUndefined();
    const log = text(passed['system-out']);
    expect(log).toContain('kernel: 6.1.0-56-arm64');
    expect(log).toContain('step 1 PASS expect-el 1 (300 ms) [line 10]');
    expect(log).toContain('    checked: exception level is 1');
  });

  it('holds only characters XML 1.0 allows, and shows the forbidden ones as visible escapes', () => {
    const bad = [...xml].map((c) => c.codePointAt(0)!).filter((code) => !isXmlChar(code));
    expect(bad).toEqual([]);
    const body = text(testcaseOf('el1', 'adsp').error);
    expect(body).toContain('    \\x1b[31mqemu: hardware error: edu\\x1b[0m');
    expect(body).toContain('    nul\\x00 bell\\x07 ff\\uffff lone\\ud800 end');
    expect(body).toContain('    tab\there\n    next');
  });
});

describe('xml escaping', () => {
  it('round-trips markup characters and whitespace through attributes and text', () => {
    const awkward = `a <b> & "c" 'd' ]]> tab\there\r\nCR\rend`;
    const parsed = parser.parse(`<x v="${escapeXmlAttribute(awkward)}">${escapeXmlText(awkward)}</x>`).x;
    expect(parsed.v).toBe(awkward);
    expect(parsed['#text']).toBe(awkward);
  });

  it('keeps characters beyond the BMP', () => {
    expect(escapeXmlText('firmware 🔥 ok')).toBe('firmware 🔥 ok');
  });
});

describe('writeJunit and the JUnit reporter', () => {
  it('writes junit.xml into the artifacts folder and leaves no temporary file', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'pilot-junit-'));
    await createJunitReporter({ hostname: 'h' }).onEnd!(summaryOf([failRun], { artifactsDir: scratch }));
    expect(await readdir(scratch)).toEqual(['junit.xml']);
    const written: Node = parser.parse(await readFile(join(scratch, 'junit.xml'), 'utf8')).testsuites;
    expect(written.failures).toBe('1');
    expect(written.testsuite[0].testcase[0].classname).toBe('kvm-el2');
    expect(written.testsuite[0].testcase[0].name).toBe('adsp');
  });

  it('creates missing folders and replaces an older file', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'pilot-junit-'));
    const path = join(scratch, 'deep', 'er', 'junit.xml');
    await writeJunit(summaryOf([failRun]), path);
    await writeJunit(summaryOf([passRun]), path);
    expect(parser.parse(await readFile(path, 'utf8')).testsuites.tests).toBe('1');
    expect(parser.parse(await readFile(path, 'utf8')).testsuites.failures).toBe('0');
  });
});

import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../../harness/report/compare/compare.ts';
import { renderCompareConsole } from '../../../harness/report/compare/console.ts';
import { AUTH_FAILURE, QEMU_DIED, SMMU_FAULT, everyVerdict, run, sides } from './fixtures.ts';

const comparison = compareRuns(...everyVerdict);
const text = renderCompareConsole(comparison);
const lines = text.split('\n');
const lineOf = (needle: string) => {
  const index = lines.findIndex((l) => l.includes(needle));
  if (index === -1) throw new Error(`no line with ${needle}:\n${text}`);
  return index;
};
const patched = (r: Parameters<typeof run>) => run(r[0], r[1], r[2], { ...r[3], side: 'patched' });

describe('renderCompareConsole', () => {
  it('ends with the one-line summary, regressions named first', () => {
    expect(lines.at(-2)).toBe('1 regressed, 1 fixed, 2 still failing, 1 unchanged, 1 inconclusive, 1 skipped, 1 new, 1 gone');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('says "0 regressed" outright and leaves out verdicts nobody got', () => {
    const clean = compareRuns(...sides([[run('x', 'el1', 'fail', { failure: AUTH_FAILURE }), patched(['x', 'el1', 'pass'])], [run('y', 'el1', 'pass'), patched(['y', 'el1', 'pass'])]]));
    const out = renderCompareConsole(clean).split('\n');
    expect(out.at(-2)).toBe('0 regressed, 1 fixed, 1 unchanged');
  });

  it('groups by verdict with regressions first and does not list unchanged runs one by one', () => {
    const headings = lines.filter((l) => /^\S+ [A-Z ]+ \(\d+\)/.test(l)).map((l) => l.replace(/ \(.*$/, ''));
    expect(headings).toEqual(['▼ REGRESSED', '! INCONCLUSIVE', '✘ STILL FAILING', '▲ FIXED', '+ NEW', '? GONE', '- SKIPPED']);
    expect(text).not.toMatch(/adsp@xen-el1/);
  });

  it('shows a regression with its failing step, failure and first evidence lines, cut to the limit', () => {
    const at = lineOf('▼ REGRESSED');
    expect(lines[at + 1]).toBe('  adsp@kvm-el2  at step 2 "expect-rproc adsp running" (scenarios/adsp.yaml:11)');
    expect(lines[at + 2]).toBe(`      ${SMMU_FAULT.code}: ${SMMU_FAULT.message}`);
    expect(lines.slice(at + 3, at + 8)).toEqual(SMMU_FAULT.evidence.slice(0, 5).map((l) => `          ${l}`));
    expect(lines[at + 8]).toBe("          … 4 more lines in the run's artifacts");
    expect(lines[at + 9]).toBe('      artifacts: /tmp/pilot/patched/adsp@kvm-el2');
    const three = renderCompareConsole(comparison, { evidenceLines: 3 });
    expect(three).toContain("… 6 more lines in the run's artifacts");
  });

  it('says what failed before for a fixed run', () => {
    expect(lines[lineOf('boot@kvm-el2  failed before')]).toBe(
      `  boot@kvm-el2  failed before: step 2 "expect-rproc adsp running" — ${AUTH_FAILURE.code}: ${AUTH_FAILURE.message}`,
    );
  });

  it('quotes both failures when a still-failing run fails differently, and one line when it fails the same way', () => {
    const at = lineOf('cdsp@kvm-el2');
    expect(lines[at]).toBe('  cdsp@kvm-el2  failure changed');
    expect(lines[at + 1]).toBe(`      before: step 2 "expect-rproc adsp running" — ${AUTH_FAILURE.code}: ${AUTH_FAILURE.message}`);
    expect(lines[at + 2]).toBe(`      now:    step 3 "iris open decoder" — ${SMMU_FAULT.code}: ${SMMU_FAULT.message}`);
    expect(lines[lineOf('boot@el1 ')]).toMatch(/^ {2}boot@el1 {6}same failure: step 2 "expect-rproc adsp running" — F_DMESG_MISSING/);
  });

  it('names the side that errored and prints an inconclusive warning above the summary', () => {
    const at = lineOf('adsp@el1');
    expect(lines[at]).toBe('  adsp@el1  ERROR on the patched side; the baseline side was PASS');
    expect(lines[at + 1]).toContain(`${QEMU_DIED.code}: ${QEMU_DIED.message}`);
    expect(lines.at(-3)).toMatch(/^1 inconclusive: an infrastructure ERROR hid the kernel's behaviour/);
  });

  it('says so when nothing could be compared', () => {
    const none = compareRuns(...sides([[run('x', 'el1', 'pass'), patched(['x', 'el1', 'error', { failure: QEMU_DIED }])]]));
    expect(renderCompareConsole(none)).toContain('Nothing could be compared');
  });

  it('draws a scenario × profile matrix with the marks centred under each profile', () => {
    const header = lineOf('kvm-el2  xen-el1  el1');
    const column = (profile: string) => lines[header]!.search(new RegExp(`(?<= )${profile}(?= |$)`)) + Math.floor((profile.length - 1) / 2);
    const row = (scenario: string) => lines.slice(header + 1).find((l) => l.startsWith(`  ${scenario} `))!;
    expect(row('adsp')[column('kvm-el2')]).toBe('▼');
    expect(row('adsp')[column('xen-el1')]).toBe('✔');
    expect(row('adsp')[column('el1')]).toBe('!');
    expect(row('boot')[column('kvm-el2')]).toBe('▲');
    expect(row('boot')[column('xen-el1')]).toBe(' ');
    expect(row('boot')[column('el1')]).toBe('✘');
    expect(row('iris')[column('xen-el1')]).toBe('-');
    expect(lines[header + 7]).toContain('▼ regressed');
  });

  it('writes no escape sequences unless colour is asked for, and keeps control bytes from the kernel harmless', () => {
    const quiet = compareRuns(...sides([[run('x', 'el1', 'pass'), patched(['x', 'el1', 'fail', { failure: QEMU_DIED }])]]));
    const plain = renderCompareConsole(quiet);
    expect(plain).not.toContain('\x1b');
    expect(plain).toContain('\\x1b[31mhardware error');
    const coloured = renderCompareConsole(quiet, { color: true });
    expect(coloured).toContain('\x1b[31m');
    expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(plain);
  });

  it('names both kernels and the interrupted side at the top and bottom', () => {
    const interrupted = compareRuns(...sides([[run('x', 'el1', 'pass'), undefined]], { patchedInterrupted: true }));
    const out = renderCompareConsole(interrupted);
    expect(out).toMatch(/^ {2}baseline {2}6\.1\.0-26-arm64 \(the image's kernel\) +1 run  +\S+ s {2}\/tmp\/pilot\/baseline$/m);
    expect(out).toMatch(/^ {2}patched {3}kernel release unknown +0 runs {2}/m);
    expect(out.split('\n').at(-2)).toBe('0 regressed, 1 gone');
    expect(out).toContain('The patched run was interrupted');
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsoleReporter, detectConsoleMode, kernelsLine } from '../../harness/report/console.ts';
import type { RunResult } from '../../harness/model/results.ts';
import { captureStream, errorRun, failRun, passRun, planned, skipRun, summaryOf } from './fixtures.ts';
import { VirtualTerminal } from './virtual-terminal.ts';

const allRuns = [passRun, failRun, errorRun, skipRun];
const plan = { runs: allRuns.map((r) => planned(r)), artifactsDir: '/tmp/pilot-artifacts', jobs: 2 };

/** Replays what the runner would report for a finished run: phases, each reached step, the end. */
function replay(reporter: ConsoleReporter, result: RunResult): void {
  const run = planned(result);
  if (result.status === 'skip') return reporter.onRunEnd(run, result);
  reporter.onRunBegin(run);
  for (const phase of result.phases) reporter.onPhase(run, phase.name);
  for (const step of result.steps.filter((s) => s.status !== 'skip')) {
    reporter.onStepBegin(run, step.index, step.title);
    reporter.onStepEnd(run, step);
  }
  reporter.onRunEnd(run, result);
}

function section(lines: string[], startsWith: string): string[] {
  const start = lines.findIndex((l) => l.startsWith(startsWith));
  expect(start, `no line starting with ${startsWith}`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l === '');
  return lines.slice(start, end === -1 ? undefined : end);
}

describe('console reporter, plain mode', () => {
  it('writes append-only lines with no escape codes, then a summary that names the failing assertion', () => {
    const { stream, text } = captureStream({ isTTY: false });
    const reporter = new ConsoleReporter({ stream, env: {} });
    reporter.onBegin(plan);
    for (const run of allRuns) replay(reporter, run);
    reporter.onEnd(summaryOf(allRuns));

    const output = text();
    // Even the ANSI colour codes inside the QEMU evidence come out as visible text, not as escapes.
    expect(output).not.toContain('\x1b');
    expect(output).toContain('\\x1b[31mqemu: hardware error: edu');
    const lines = output.split('\n');
    expect(lines[0]).toBe('pilot: 4 runs, up to 2 at a time; artifacts in /tmp/pilot-artifacts');
    expect(lines).toContain('[adsp@kvm-el2] start scenarios/adsp.yaml (4 steps)');
    expect(lines).toContain('[adsp@kvm-el2] kernel-boot');
    expect(lines).toContain('[adsp@kvm-el2] step 1/4 expect-el 2: pass (300 ms)');
    expect(lines).toContain(
      '[adsp@kvm-el2] step 3/4 expect-dmesg absent arm-smmu-v3 .* event 0x10: fail (1.2 s) F_DMESG_FORBIDDEN: forbidden line appeared: arm-smmu-v3 .* event 0x10',
    );
    expect(lines).toContain('✔ PASS  boot@el1  9.1 s');
    expect(lines).toContain('✘ FAIL  adsp@kvm-el2  42.5 s  F_DMESG_FORBIDDEN: forbidden line appeared: arm-smmu-v3 .* event 0x10');
    expect(lines).toContain('! ERROR adsp@el1  3.0 s  E_QEMU_EXIT: QEMU exited with "hardware error" <code 1> & no core');
    expect(lines).toContain('- SKIP  iris.decoder@xen-el1  0 ms  E_PROFILE_UNAVAILABLE: xen-hypervisor-4.17-arm64 is not installed');
    expect(lines).toContain('Summary: 4 runs in 61.0 s: 1 passed, 1 failed, 1 error, 1 skipped');

    const fail = section(lines, '✘ FAIL adsp@kvm-el2 —');
    expect(fail[0]).toBe('✘ FAIL adsp@kvm-el2 — the kernel did not do what was asserted');
    expect(fail[1]).toBe('    at step 3 "expect-dmesg absent arm-smmu-v3 .* event 0x10" (scenarios/adsp.yaml:14)');
    expect(fail[2]).toBe('    F_DMESG_FORBIDDEN: forbidden line appeared: arm-smmu-v3 .* event 0x10');
    const evidence = fail.filter((l) => l.startsWith('        '));
    expect(evidence).toHaveLength(9);
    expect(evidence[0]).toBe('        [   12.0] arm-smmu-v3 9050000.smmuv3: event 0x10 received #0');
    expect(evidence[7]).toContain('received #7');
    expect(evidence[8]).toBe("        … 4 more lines in the run's artifacts");
    expect(fail).toContain('    hint: does the DT node of adsp carry iommus?');
    expect(fail).toContain('    artifacts: /tmp/pilot-artifacts/adsp@kvm-el2');

    const error = section(lines, '! ERROR adsp@el1 —');
    expect(error[0]).toBe('! ERROR adsp@el1 — the harness or machine broke; this says nothing about the kernel');
    expect(error[1]).toBe('    before any step, during kernel-boot');
    expect(error).toContain('        nul\\x00 bell\\x07 ff\uffff lone\ud800 end');
    expect(error).toContain('        tab\there');
    expect(error).toContain('        next');
    expect(error.join('\n')).not.toContain('the kernel did not do');

    expect(lines).toContain('- SKIP iris.decoder@xen-el1 — not run: E_PROFILE_UNAVAILABLE: xen-hypervisor-4.17-arm64 is not installed');
    // Failures first: a kernel regression must not scroll away behind infrastructure noise.
    const order = ['✘ FAIL adsp@kvm-el2 —', '! ERROR adsp@el1 —', '- SKIP iris'].map((p) => lines.findIndex((l) => l.startsWith(p)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(lines.filter((l) => l !== '').at(-1)).toBe('Artifacts: /tmp/pilot-artifacts (report.html to browse them)');
  });

  it('says when the run was interrupted and how many planned runs never finished', () => {
    const { stream, text } = captureStream();
    const reporter = new ConsoleReporter({ stream, isTTY: false, env: {} });
    reporter.onBegin(plan);
    reporter.onEnd(summaryOf([passRun, failRun], { interrupted: true }));
    expect(text()).toContain('Interrupted before the plan was done; 2 planned runs did not finish.');
    expect(text()).toContain('Summary: 2 runs in 61.0 s: 1 passed, 1 failed, 0 errors, 0 skipped');
  });
});

describe('detectConsoleMode', () => {
  const tty = captureStream({ isTTY: true }).stream;
  const pipe = captureStream({ isTTY: false }).stream;

  it('uses the live block and colours only on a TTY outside CI', () => {
    expect(detectConsoleMode(tty, {})).toEqual({ isTTY: true, color: true });
    expect(detectConsoleMode(tty, { CI: 'true' })).toEqual({ isTTY: false, color: false });
    expect(detectConsoleMode(pipe, {})).toEqual({ isTTY: false, color: false });
  });

  it('FORCE_COLOR colours a pipe, TERM=dumb gets neither escapes nor the live block, NO_COLOR beats FORCE_COLOR', () => {
    expect(detectConsoleMode(pipe, { FORCE_COLOR: '1' })).toEqual({ isTTY: false, color: true });
    expect(detectConsoleMode(pipe, { FORCE_COLOR: '0' })).toEqual({ isTTY: false, color: false });
    expect(detectConsoleMode(tty, { TERM: 'dumb' })).toEqual({ isTTY: false, color: false });
    expect(detectConsoleMode(tty, { TERM: 'dumb', FORCE_COLOR: '1' })).toEqual({ isTTY: false, color: true });
    expect(detectConsoleMode(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' })).toEqual({ isTTY: false, color: false });
  });

  it('honours NO_COLOR when it is set to anything non-empty', () => {
    expect(detectConsoleMode(tty, { NO_COLOR: '1' })).toEqual({ isTTY: true, color: false });
    expect(detectConsoleMode(tty, { NO_COLOR: '' })).toEqual({ isTTY: true, color: true });
  });
});

describe('console reporter, TTY mode', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  function tty(env: Record<string, string> = {}, columns = 60) {
    const capture = captureStream({ isTTY: true, columns });
    const reporter = new ConsoleReporter({ stream: capture.stream, env });
    const terminal = new VirtualTerminal(columns || 80);
    let replayed = 0;
    const screen = () => {
      for (const chunk of capture.writes.slice(replayed)) terminal.write(chunk);
      replayed = capture.writes.length;
      return terminal.screen();
    };
    return { ...capture, reporter, terminal, screen };
  }

  it('redraws one line per running scenario in place, at most ten times a second, and prints results above', () => {
    const { reporter, writes, screen, terminal, text } = tty();
    const failing = planned(failRun);
    const passing = planned(passRun);
    reporter.onBegin({ runs: [failing, passing], artifactsDir: '/a', jobs: 2 });
    reporter.onRunBegin(failing);
    reporter.onRunBegin(passing);
    reporter.onPhase(passing, 'kernel-boot');
    reporter.onStepBegin(failing, 2, failRun.steps[2]!.title);
    expect(writes).toHaveLength(1); // nothing drawn between ticks

    vi.advanceTimersByTime(100);
    let lines = screen();
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] adsp@kvm-el2  step 3\/4 expect-dmesg absent .*… … 0\.1s$/);
    expect(lines[2]).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] boot@el1  kernel-boot … 0\.1s$/);
    expect(lines.every((l) => [...l].length <= 59)).toBe(true);

    const before = writes.length;
    vi.advanceTimersByTime(1000);
    expect(writes.length - before).toBeLessThanOrEqual(10);
    expect(writes.length - before).toBeGreaterThanOrEqual(9);
    lines = screen();
    expect(lines).toHaveLength(3); // redrawn in place, not appended
    expect(lines[1]).toMatch(/… 1\.1s$/);

    reporter.onRunEnd(failing, failRun);
    vi.advanceTimersByTime(100);
    lines = screen();
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe('✘ FAIL  adsp@kvm-el2  42.5 s  F_DMESG_FORBIDDEN: forbidden…'); // clipped to 59 columns
    expect(lines[2]).toMatch(/boot@el1  kernel-boot … 1\.2s$/);

    reporter.onRunEnd(passing, passRun);
    vi.advanceTimersByTime(100);
    expect(screen().slice(1)).toEqual([lines[1], '✔ PASS  boot@el1  9.1 s']);
    expect(vi.getTimerCount()).toBe(0); // idle: no more redraws

    reporter.onEnd(summaryOf([passRun, failRun]));
    lines = screen();
    expect(lines.some((l) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/.test(l))).toBe(false);
    expect(terminal.unknown).toEqual([]);
    // The summary may wrap on a 60-column screen, so read it from the stream with colours removed.
    const summary = writes.at(-1)!.replace(/\x1b\[\d+m/g, '').split('\n');
    expect(summary).toContain('✘ FAIL adsp@kvm-el2 — the kernel did not do what was asserted');
    expect(summary).toContain('    at step 3 "expect-dmesg absent arm-smmu-v3 .* event 0x10" (scenarios/adsp.yaml:14)');
    expect(summary).toContain('        [   12.0] arm-smmu-v3 9050000.smmuv3: event 0x10 received #0');

    // Each frame is a single synchronized write, so the terminal never shows a half-drawn block.
    const frames = writes.slice(1, -1);
    expect(frames.every((f) => f.startsWith('\x1b[?2026h') && f.endsWith('\x1b[?2026l'))).toBe(true);
    expect(text()).toContain('\x1b[31m'); // FAIL in red
  });

  it('stops its timer and clears the block when the run ends mid-way', () => {
    const { reporter, screen } = tty({}, 100);
    const failing = planned(failRun);
    reporter.onBegin({ runs: [failing], artifactsDir: '/a', jobs: 1 });
    reporter.onRunBegin(failing);
    vi.advanceTimersByTime(300);
    expect(vi.getTimerCount()).toBe(1);
    expect(screen()).toHaveLength(2);

    reporter.onEnd(summaryOf([], { interrupted: true }));
    expect(vi.getTimerCount()).toBe(0);
    const lines = screen();
    expect(lines.some((l) => l.includes('adsp@kvm-el2  starting'))).toBe(false);
    expect(lines).toContain('Interrupted before the plan was done; 1 planned run did not finish.');
  });

  it('falls back to 80 columns when the terminal reports none', () => {
    const { reporter, screen } = tty({}, 0);
    reporter.onRunBegin(planned(failRun));
    reporter.onStepBegin(planned(failRun), 2, failRun.steps[2]!.title);
    vi.advanceTimersByTime(100);
    expect(screen()[0]).toMatch(/^\S adsp@kvm-el2  step 3\/4 expect-dmesg absent arm-smmu-v3 \.\* event 0x10 … 0\.1s$/);
  });

  it('keeps cursor movement but drops colours under NO_COLOR', () => {
    const { reporter, text } = tty({ NO_COLOR: '1' });
    reporter.onRunBegin(planned(failRun));
    vi.advanceTimersByTime(200);
    reporter.onRunEnd(planned(failRun), failRun);
    reporter.onEnd(summaryOf([failRun]));
    expect(text()).toContain('\x1b[1A');
    expect(text()).not.toMatch(/\x1b\[\d+m/);
  });
});

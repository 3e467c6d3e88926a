// The timeline is to scale: every bar's width is its share of the run, and its offset is when it began.
import { describe, expect, it } from 'vitest';
import { layoutTimeline, renderTimeline } from '../../../harness/report/html/timeline.ts';
import type { RunResult } from '../../../harness/model/results.ts';
import { step } from '../fixtures.ts';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
/** Shaped like a real kvm-el2 run: absolute Date.now() instants, a slow kernel boot, steps with recorded starts. */
const run: RunResult = {
  id: 'adsp@kvm-el2',
  scenario: 'adsp',
  file: 'scenarios/adsp.yaml',
  profile: 'kvm-el2',
  status: 'fail',
  startedAt: new Date(T0).toISOString(),
  durationMs: 10_000,
  phases: [
    { name: 'qemu-start', startedAtMs: T0, durationMs: 1_000 },
    { name: 'kernel-boot', startedAtMs: T0 + 1_000, durationMs: 5_000 },
    { name: 'ssh-ready', startedAtMs: T0 + 6_000, durationMs: 500 },
    { name: 'steps', startedAtMs: T0 + 6_500, durationMs: 3_500 },
  ],
  steps: [
    step(0, 'rproc adsp start', { startedAtMs: T0 + 6_500, durationMs: 2_500 }),
    step(1, 'expect-dmesg', { startedAtMs: T0 + 9_000, durationMs: 1_000, status: 'fail' }),
    step(2, 'rproc adsp stop', { status: 'skip', durationMs: 0 }),
  ],
  artifactsDir: '/tmp/x',
};

describe('layoutTimeline', () => {
  const layout = layoutTimeline(run);
  const bar = (label: string) => layout.bars.find((b) => b.label === label)!;

  it('gives each phase and step a width proportional to its duration and an offset from the run start', () => {
    expect(layout.totalMs).toBe(10_000);
    expect(layout.bars.map((b) => b.label)).toEqual(['qemu-start', 'kernel-boot', 'ssh-ready', '1. rproc adsp start', '2. expect-dmesg', '3. rproc adsp stop']);
    for (const b of layout.bars.filter((b) => !b.notRun)) {
      expect(b.widthPercent, b.label).toBeCloseTo((b.durationMs / layout.totalMs) * 100, 6);
      expect(b.leftPercent, b.label).toBeCloseTo((b.startMs / layout.totalMs) * 100, 6);
    }
    expect(bar('kernel-boot')).toMatchObject({ leftPercent: 10, widthPercent: 50 });
    expect(bar('kernel-boot').widthPercent / bar('ssh-ready').widthPercent).toBeCloseTo(10, 6);
    expect(bar('2. expect-dmesg')).toMatchObject({ startMs: 9_000, status: 'fail', approximate: false });
    expect(bar('3. rproc adsp stop').notRun).toBe(true);
    // The slow phase is the one singled out.
    expect(layout.bars[layout.longest!]!.label).toBe('kernel-boot');
  });

  it('places steps one after another from the steps phase when results carry no step starts', () => {
    const old = { ...run, steps: run.steps.map(({ startedAtMs: _ignored, ...rest }) => rest) };
    const inferred = layoutTimeline(old);
    const steps = inferred.bars.filter((b) => b.kind === 'step');
    expect(steps.map((b) => [b.startMs, b.approximate])).toEqual([
      [6_500, true],
      [9_000, true],
      [10_000, false],
    ]);
  });

  it('accepts phases counted from zero, as hand-made results have them', () => {
    const relative = layoutTimeline({ ...run, phases: [{ name: 'qemu-start', startedAtMs: 0, durationMs: 2_000 }], steps: [], durationMs: 8_000 });
    expect(relative.bars[0]).toMatchObject({ leftPercent: 0, widthPercent: 25 });
  });

  it('renders bars whose CSS widths are the computed percentages, with ticks along the axis', () => {
    const html = renderTimeline(run);
    const widths = [...html.matchAll(/<div class="tl-row ([^"]+)" data-duration-ms="(\d+)">.*?style="left:([\d.]+)%;width:([\d.]+)%"/g)].map((m) => ({
      duration: Number(m[2]),
      width: Number(m[4]),
    }));
    expect(widths).toHaveLength(5);
    for (const { duration, width } of widths) expect(width).toBeCloseTo((duration / 10_000) * 100, 2);
    expect(html).toMatch(/class="tl-row phase ph-kernel-boot longest"/);
    expect([...html.matchAll(/class="tl-tick"/g)].length).toBeGreaterThanOrEqual(5);
    expect(html).toContain('>10 s<');
  });
});

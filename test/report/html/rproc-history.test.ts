// The remoteproc history is read from the kernel's own lines: a real kvm-el2 crash-recovery log, and the core's failure strings.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitLogLines } from '../../../harness/report/html/log-lines.ts';
import { parseRprocHistory } from '../../../harness/report/html/rproc-history.ts';
import { renderRprocHistories } from '../../../harness/report/html/rproc-view.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/html-report/soc-crash-recovery-kvm-el2.dmesg');

describe('parseRprocHistory', () => {
  it('follows the ADSP through boot, a recovered crash, and a crash recovered by hand, and the CDSP through its boot', async () => {
    const histories = parseRprocHistory(splitLogLines(await readFile(FIXTURE, 'utf8')));
    expect(histories.map((h) => [h.name, h.device])).toEqual([
      ['adsp', 'remoteproc0'],
      ['cdsp', 'remoteproc1'],
    ]);
    const [adsp, cdsp] = histories;
    expect(adsp!.events.map((e) => e.state)).toEqual([
      'offline', 'starting', 'loading', 'running',
      'crashed', 'crashed', 'recovering', 'offline', 'running',
      'crashed', 'crashed', 'recovering', 'offline', 'running',
    ]);
    expect(adsp!.events[2]).toMatchObject({ seconds: 2.719056, detail: 'qcom/sa8775p/adsp.mbn (24576 bytes)' });
    expect(adsp!.events[4]).toMatchObject({ detail: 'type watchdog', line: '[    3.995104] remoteproc remoteproc0: crash detected in adsp: type watchdog' });
    expect(adsp!.events[10]!.detail).toBe('crash #2');
    expect(cdsp!.events.map((e) => e.state)).toEqual(['offline', 'starting', 'loading', 'running']);
    // Times only move forward.
    for (const h of histories) expect(h.events.map((e) => e.seconds)).toEqual([...h.events.map((e) => e.seconds)].sort((a, b) => a - b));
  });

  it('marks failed starts from the core failure strings and ignores lines of other devices', () => {
    const histories = parseRprocHistory([
      '[    2.700000] remoteproc remoteproc2: iris is available',
      '[    2.800000] remoteproc remoteproc2: powering up iris',
      '[    2.900000] qcom-pas-sim 0000:00:12.0: start timed out',
      "[    3.900000] remoteproc remoteproc2: can't start rproc iris: -110",
      '[    4.000000] remoteproc remoteproc3: request_firmware failed: -2',
      'remoteproc remoteproc4: powering up nodate',
    ]);
    expect(histories.map((h) => h.name)).toEqual(['iris', 'remoteproc3']);
    expect(histories[0]!.events.map((e) => [e.state, e.detail])).toEqual([
      ['offline', 'registered'],
      ['starting', undefined],
      ['failed', 'start returned -110'],
    ]);
    expect(histories[1]!.events[0]).toMatchObject({ state: 'failed', detail: 'request_firmware: -2' });
  });

  it('draws one strip per processor with segments as long as each state lasted', async () => {
    const histories = parseRprocHistory(splitLogLines(await readFile(FIXTURE, 'utf8')));
    const html = renderRprocHistories(histories, 7, 'dmesg.log');
    const adsp = html.slice(html.indexOf('data-rproc="adsp"'), html.indexOf('data-rproc="cdsp"'));
    const widths = [...adsp.matchAll(/class="rp-seg rp-(\w+)" style="width:([\d.]+)%"/g)].map((m) => [m[1], Number(m[2])] as const);
    expect(widths.map(([state]) => state)).toEqual(histories[0]!.events.map((e) => e.state));
    const total = widths.reduce((sum, [, width]) => sum + width, 0);
    expect(total).toBeCloseTo(100, 1);
    // Running from 2.961241 s until the crash at 3.995104 s, out of 2.712335 s .. 7 s.
    expect(widths[3]![1]).toBeCloseTo(((3.995104 - 2.961241) / (7 - 2.712335)) * 100, 2);
    expect(html).toContain('<span class="rp-state rp-running">running</span>');
  });
});

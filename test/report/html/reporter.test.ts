// The reporter reads each run's logs from disk at the end, capped from the front, and writes report.html whole.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLogTail } from '../../../harness/report/html/artifacts.ts';
import { createHtmlReporter, writeHtmlReport } from '../../../harness/report/html/reporter.ts';
import type { RunResult } from '../../../harness/model/results.ts';
import { passRun, step, summaryOf } from '../fixtures.ts';

let scratch: string | undefined;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

async function runFolder(root: string, id: string): Promise<string> {
  const dir = join(root, id);
  await mkdir(join(dir, 'steps'), { recursive: true });
  return dir;
}

function failingRun(dir: string): RunResult {
  const failure = { code: 'F_DMESG_MISSING', message: 'no line "is now up"', evidence: ['[    9.000000] qcom-pas-sim 0000:00:10.0: start timed out'] };
  return {
    ...passRun,
    id: 'adsp@kvm-el2',
    scenario: 'adsp',
    profile: 'kvm-el2',
    status: 'fail',
    steps: [step(0, 'expect-dmesg is now up', { kind: 'expect-dmesg', status: 'fail', failure, dmesgWindow: { fromSeq: 10, toSeq: 12 } })],
    failure,
    artifactsDir: dir,
  };
}

describe('readLogTail', () => {
  it('keeps the last bytes of a big file, starting at a whole line, and counts what it left out', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'pilot-html-'));
    const lines = Array.from({ length: 1000 }, (_, i) => `[ ${String(i).padStart(4, '0')}.000000] line ${i} é`);
    const path = join(scratch, 'serial.log');
    await writeFile(path, lines.join('\n') + '\n');
    const tail = await readLogTail(path, 'serial.log', 4096);
    const kept = tail.text.replace(/\n$/, '').split('\n');
    expect(kept.at(-1)).toBe(lines.at(-1));
    expect(lines.slice(-kept.length)).toEqual(kept);
    expect(Buffer.byteLength(tail.text)).toBeLessThanOrEqual(4096);
    expect(tail.omittedBytes + Buffer.byteLength(tail.text)).toBe(tail.totalBytes);
    const whole = await readLogTail(path, 'serial.log', 10 * 1024 * 1024);
    expect(whole).toMatchObject({ omittedBytes: 0, text: lines.join('\n') + '\n' });
  });
});

describe('createHtmlReporter', () => {
  it('writes report.html in the artifacts folder with the failing step dmesg, the capped logs and what was cut', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'pilot-html-'));
    const dir = await runFolder(scratch, 'adsp@kvm-el2');
    const bigSerial = Array.from({ length: 5000 }, (_, i) => `[ ${i}.000000] console line ${i}`).join('\n') + '\n';
    await writeFile(join(dir, 'serial.log'), bigSerial);
    await writeFile(join(dir, 'dmesg.log'), '[    1.000000] remoteproc remoteproc0: powering up adsp\n[    9.000000] qcom-pas-sim 0000:00:10.0: start timed out\n');
    await writeFile(join(dir, 'steps', '01-expect-dmesg.dmesg'), '[    9.000000] qcom-pas-sim 0000:00:10.0: start timed out\n');
    const reporter = createHtmlReporter({ limits: { logBytes: 8 * 1024, stepBytes: 1024 } });
    await reporter.onEnd!(summaryOf([failingRun(dir)], { artifactsDir: scratch }));

    const html = await readFile(join(scratch, 'report.html'), 'utf8');
    expect(html).toContain('dmesg during the failing step');
    expect(html).toContain('steps/01-expect-dmesg.dmesg');
    expect(html).toContain('console line 4999');
    expect(html).not.toContain('console line 10<');
    expect(html).toMatch(/The first [\d.]+ KiB of [\d.]+ KiB are left out to keep this report openable; the whole file is serial\.log/);
    expect(html).toContain('<span class="rp-state rp-starting">starting</span>');
  });

  it('finds run folders beside results.json when the artifacts were moved, and says which files are missing', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'pilot-html-'));
    const dir = await runFolder(scratch, 'adsp@kvm-el2');
    await writeFile(join(dir, 'dmesg.log'), '[    9.000000] qcom-pas-sim 0000:00:10.0: start timed out\n');
    const moved = failingRun('/nonexistent/elsewhere/adsp@kvm-el2');
    const out = join(scratch, 'copy.html');
    await writeHtmlReport(summaryOf([moved], { artifactsDir: '/nonexistent/elsewhere' }), out, { resultsDir: scratch, complete: true });
    const html = await readFile(out, 'utf8');
    expect(html).toContain('start timed out');
    expect(html).toMatch(/Not in this report: serial\.log: ENOENT; steps\/01-expect-dmesg\.dmesg: ENOENT/);

    await writeHtmlReport(summaryOf([moved], { artifactsDir: '/nonexistent/elsewhere' }), out, { resultsDir: join(scratch, 'nowhere') });
    expect(await readFile(out, 'utf8')).toContain("the run&#39;s folder /nonexistent/elsewhere/adsp@kvm-el2 is gone");
  });
});

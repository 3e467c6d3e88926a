// `pilot report html` rebuilds the page from results.json: a folder or the file itself, next to it by default or where -o says.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportCommand } from '../../../harness/cli/commands/report.ts';
import { writeResultsJson } from '../../../harness/report/json.ts';
import { failRun, summaryOf } from '../fixtures.ts';

let scratch: string | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

async function resultsFolder(): Promise<string> {
  scratch = await mkdtemp(join(tmpdir(), 'pilot-report-'));
  const runDir = join(scratch, 'adsp@kvm-el2');
  await mkdir(runDir);
  await writeFile(join(runDir, 'dmesg.log'), '[   12.000000] arm-smmu-v3 9050000.smmuv3: event 0x10 received #0\n');
  await writeResultsJson(summaryOf([{ ...failRun, artifactsDir: runDir }], { artifactsDir: scratch }), join(scratch, 'results.json'), false);
  return scratch;
}

describe('pilot report html', () => {
  it('writes report.html beside results.json when given the folder, and prints its path', async () => {
    const folder = await resultsFolder();
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    expect(await reportCommand(['html', folder])).toBe(0);
    expect(printed).toEqual([`${join(folder, 'report.html')}\n`]);
    const html = await readFile(join(folder, 'report.html'), 'utf8');
    expect(html).toContain('F_DMESG_FORBIDDEN');
    expect(html).toContain('pilot had not finished when these results were written');
  });

  it('writes where -o says when given results.json itself', async () => {
    const folder = await resultsFolder();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const out = join(folder, 'elsewhere.html');
    expect(await reportCommand(['html', join(folder, 'results.json'), '-o', out])).toBe(0);
    expect(await readFile(out, 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('refuses a missing format, an unknown one and a missing source as bad input', async () => {
    await expect(reportCommand([])).rejects.toMatchObject({ code: 'E_BAD_FLAG' });
    await expect(reportCommand(['pdf', '/tmp'])).rejects.toMatchObject({ code: 'E_BAD_FLAG', message: /got 'pdf'/ });
    await expect(reportCommand(['html'])).rejects.toMatchObject({ code: 'E_BAD_FLAG' });
    await expect(reportCommand(['html', '/nonexistent/pilot'])).rejects.toMatchObject({ code: 'E_RESULTS_READ' });
  });
});

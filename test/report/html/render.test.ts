// renderHtmlReport on hand-built results: escaping, the matrix's colours, the failure panel, and nothing that reaches the network.
import { describe, expect, it } from 'vitest';
import type { RunArtifacts } from '../../../harness/report/html/artifacts.ts';
import { renderHtmlReport } from '../../../harness/report/html/render.ts';
import type { RunResult } from '../../../harness/model/results.ts';
import { errorRun, failRun, passRun, skipRun, step, summaryOf } from '../fixtures.ts';

const log = (name: string, text: string) => ({ name, text, totalBytes: Buffer.byteLength(text), omittedBytes: 0 });

/** A dmesg with everything HTML hates, plus a kernel oops, plus would-be links to the outside. */
const hostileDmesg = [
  '[    1.000000] Booting Linux on physical CPU 0x0000000000',
  '[    2.000000] qcom-pas-sim 0000:00:10.0: <script>alert("dmesg")</script> & friends',
  '[    3.000000] see <a href="https://example.com/x">here</a> and <img src="http://example.com/i.png">',
  '[    4.000000] Internal error: Oops: 96000004 [#1] SMP',
  '[    5.000000] Call trace:',
  '[    6.000000] remoteproc remoteproc0: crash detected in adsp: type watchdog',
].join('\n');

const hostileRun: RunResult = {
  ...failRun,
  id: 'hostile<&>@kvm-el2',
  scenario: 'hostile<&>',
  steps: [
    step(0, 'expect-dmesg "<b>bold</b>" & more', {
      status: 'fail',
      failure: { code: 'F_DMESG_PRESENT', message: 'saw <script>alert(1)</script> & "quotes"', evidence: ['> [    2.000000] qcom-pas-sim 0000:00:10.0: <script>alert("dmesg")</script> & friends'] },
      dmesgWindow: { fromSeq: 1, toSeq: 5 },
    }),
  ],
};
hostileRun.failure = hostileRun.steps[0]!.failure;

const artifacts: Record<string, RunArtifacts> = {
  [hostileRun.id]: { dmesgLog: log('dmesg.log', hostileDmesg), serialLog: log('serial.log', `\x1b[31mred\x1b[0m console\r\n${hostileDmesg}\r\n`), unreadable: [] },
};
const summary = summaryOf([passRun, failRun, errorRun, skipRun, hostileRun]);
const html = renderHtmlReport({ summary, artifacts });

/** Every src=, href= (and kin) value of every real tag in the page, however it is quoted; escaped text has no '<' and cannot count. */
function linkTargets(page: string): string[] {
  const tags = page.match(/<[a-zA-Z][^>]*>/g) ?? [];
  return tags.flatMap((tag) =>
    [...tag.matchAll(/\s(?:src|href|action|poster|srcset|formaction)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)].map((m) => m[1] ?? m[2] ?? m[3] ?? ''),
  );
}

describe('renderHtmlReport', () => {
  it('escapes every piece of kernel and scenario text, so the only script is the report own', () => {
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;dmesg&quot;)&lt;/script&gt; &amp; friends');
    expect(html).toContain('saw &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('hostile&lt;&amp;&gt;');
    // The serial log's colour codes are gone, not shown as boxes.
    expect(html).not.toMatch(/\x1b/);
    expect(html).toContain('>red console<');
  });

  it('links nowhere outside the page: anchors and data: only, a CSP that forbids fetching, no CSS imports or urls', () => {
    const targets = linkTargets(html);
    expect(targets.length).toBeGreaterThan(4);
    for (const target of targets) expect(target, target).toMatch(/^(#|data:)/);
    expect(html).not.toMatch(/<(?:a|img|link|script|iframe)\b[^>]*\s(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    // The would-be links in the log are text.
    expect(html).toContain('&lt;img src=&quot;http://example.com/i.png&quot;&gt;');
  });

  it('colours each matrix cell by its run status and links it to the run section', () => {
    const cells = [...html.matchAll(/<td class="cell st-(\w+)" data-run="([^"]+)" data-status="(\w+)"><a href="#([^"]+)"/g)];
    const byRun = Object.fromEntries(cells.map((m) => [m[2], { cls: m[1], status: m[3], target: m[4] }]));
    for (const run of summary.runs) {
      const key = run.id.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      expect(byRun[key], run.id).toMatchObject({ cls: run.status, status: run.status });
      expect(html).toContain(`<section class="run st-${run.status}" id="${byRun[key]!.target}"`);
    }
    expect(cells).toHaveLength(summary.runs.length);
    // Combinations that did not run are marked, not coloured.
    const combinations = new Set(summary.runs.map((run) => run.scenario)).size * new Set(summary.runs.map((run) => run.profile)).size;
    expect(html.match(/<td class="cell none"/g)?.length).toBe(combinations - summary.runs.length);
  });

  it('opens failing and errored runs, shows where and why, and keeps passing runs closed', () => {
    const section = (id: string) => html.slice(html.indexOf(`data-run="${id}">`), html.indexOf('</section>', html.indexOf(`data-run="${id}">`)));
    expect(section(failRun.id)).toMatch(/<details class="run-details" open>/);
    expect(section(errorRun.id)).toMatch(/<details class="run-details" open>/);
    expect(section(passRun.id)).toMatch(/<details class="run-details">/);
    const failure = section(failRun.id);
    expect(failure).toContain('F_DMESG_FORBIDDEN: forbidden line appeared: arm-smmu-v3 .* event 0x10');
    expect(failure).toContain('at step 3 &quot;expect-dmesg absent arm-smmu-v3 .* event 0x10&quot; (scenarios/adsp.yaml:14)');
    expect(failure).toContain('does the DT node of adsp carry iommus?');
    expect(section(errorRun.id)).toContain('E_QEMU_EXIT');
    // Failures come first in the page.
    expect(html.indexOf(`data-run="${failRun.id}">`)).toBeLessThan(html.indexOf(`data-run="${passRun.id}">`));
  });

  it("highlights the kernel's error reports with the oracle's patterns, and quotes the dmesg around the evidence", () => {
    const kernelErrorLines = [...html.matchAll(/<div class="ln ke[^"]*" data-n="\d+">([^<]*)<\/div>/g)].map((m) => m[1]);
    expect(kernelErrorLines).toContain('[    4.000000] Internal error: Oops: 96000004 [#1] SMP');
    expect(kernelErrorLines).toContain('[    5.000000] Call trace:');
    expect(kernelErrorLines.some((line) => line!.includes('Booting Linux'))).toBe(false);
    expect(html).toContain('2 kernel error lines');
    const around = html.slice(html.indexOf('dmesg around the evidence'));
    expect(around).toMatch(/<div class="ln[^"]* mk" data-n="2">\[    2.000000\] qcom-pas-sim/);
  });

  it('says when the results were written before pilot finished, and when the run was interrupted', () => {
    const partial = renderHtmlReport({ summary: summaryOf([passRun], { interrupted: true }), artifacts: {}, complete: false });
    expect(partial).toContain('pilot had not finished when these results were written');
    expect(partial).toContain('This invocation was interrupted');
    expect(html).not.toContain('This invocation was interrupted');
  });

  it('names a matched known issue and a deployed kernel, keeping the issue link as text', () => {
    const known: RunResult = {
      ...failRun,
      known: {
        link: 'https://bugs.example.org/1234',
        expires: '2027-01-31',
        pattern: 'event 0x10',
        source: 'known-issues.yaml:3:5',
        matched: '[   12.0] arm-smmu-v3 9050000.smmuv3: event 0x10 received #0',
        matchedIn: 'failure',
        expired: false,
      },
      deploy: {
        method: 'kexec',
        kernel: 'Debian package linux-image-rt-arm64',
        release: '6.1.0-56-rt-arm64',
        buildId: 'abc123',
        imageSha256: 'f'.repeat(64),
        previousRelease: '6.1.0-56-arm64',
        timings: { prepareMs: 100, pushMs: 4_100, loadMs: 300, rebootMs: 5_000, proofMs: 200, totalMs: 9_700 },
        pushedBytes: 33 * 1024 * 1024,
      },
    };
    const page = renderHtmlReport({ summary: summaryOf([known]), artifacts: {} });
    expect(page).toContain('<span class="badge known-badge">known issue</span>');
    expect(page).toContain('<b>Known issue</b> https://bugs.example.org/1234 <span class="muted">(until 2027-01-31; known-issues.yaml:3:5)');
    for (const target of linkTargets(page)) expect(target).toMatch(/^(#|data:)/);
    expect(page).toContain('<dt>deployed</dt><dd>Debian package linux-image-rt-arm64, 6.1.0-56-rt-arm64 by kexec (was 6.1.0-56-arm64)</dd>');
    expect(page).toContain('push 4.1 s (33.0 MiB)');
  });
});

describe('line tags', () => {
  it("tags the oracle's reports as kernel errors, SMMU faults and failure words for a second look, and the rest plain", async () => {
    const { tagLine } = await import('../../../harness/report/html/log-lines.ts');
    expect(tagLine('[   12.100000] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008')).toBe('kernel-error');
    expect(tagLine('> [    5.000000] WARNING: CPU: 1 PID: 77 at drivers/remoteproc/remoteproc_core.c:1 rproc_boot+0x1c/0x30')).toBe('kernel-error');
    expect(tagLine('[   12.000000] arm-smmu-v3 9050000.smmuv3: event 0x10 received:')).toBe('attention');
    expect(tagLine('[   17.224405] remoteproc remoteproc0: can\'t start rproc adsp: -110')).toBe('attention');
    expect(tagLine('[   17.220000] qcom-pas-sim 0000:00:10.0: start timed out')).toBe('attention');
    // The oracle is case-sensitive and anchored: a "warning:" inside a message is not a WARN() report.
    expect(tagLine('[    1.000000] Warning: unable to open an initial console.')).toBe('plain');
    expect(tagLine('[    2.000000] remoteproc remoteproc0: powering up adsp')).toBe('plain');
  });
});

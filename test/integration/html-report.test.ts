// The HTML report of a real failing run, opened in Debian's Chromium: the failure is visible, the timeline is to scale, the dmesg search filters, nothing is fetched.
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { artifactsBase, REPO, startPilot } from './support/pilot-cli.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(REPO, 'artifacts/screenshots/html-report-failing-run.png');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function requireChromium(): Promise<void> {
  try {
    await access(CHROMIUM);
  } catch {
    throw new Error(`${CHROMIUM} is missing: install the Debian package "chromium" (apt-get install chromium); the HTML report test needs a real browser`);
  }
}

describe('HTML report in headless Chromium', { timeout: 300_000 }, () => {
  let context: BrowserContext | undefined;
  let profileDir: string | undefined;
  afterAll(async () => {
    await context?.close();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  it('shows the failing assertion, a timeline to scale and a searchable dmesg, without any network request', async () => {
    await requireChromium();
    const base = await artifactsBase();
    const run = await startPilot(['run', 'test/fixtures/html-report/crash-then-false-claim.yaml', '--artifacts', base]);
    expect(run.exitCode, run.all).toBe(1);
    const made = await startPilot(['report', 'html', join(base, 'latest')]);
    expect(made.exitCode, made.all).toBe(0);
    const reportPath = join(base, 'latest', 'report.html');
    expect(made.stdout.trim()).toBe(reportPath);

    profileDir = await mkdtemp(join(tmpdir(), 'pilot-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 1000 } });
    const attempted: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      attempted.push(url);
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The page's CSP would refuse an outside fetch before it became a request; Chromium says so on the console.
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') pageErrors.push(message.text());
    });
    await page.goto(pathToFileURL(reportPath).href);

    // The failure: its verdict, code and the kernel's line, on screen without a click.
    const section = page.locator('section.run.st-fail');
    await expect.poll(() => section.count()).toBe(1);
    const failure = section.locator('.failure');
    expect(await failure.isVisible()).toBe(true);
    expect(await failure.locator('pre.headline').innerText()).toContain('F_DMESG_PRESENT: 1 line matching "crash detected in adsp" since boot, expected none');
    expect(await failure.locator('.where').innerText()).toContain('at step 4 "the ADSP never crashed (false on purpose)"');
    expect(await failure.locator('.evidence').innerText()).toMatch(/remoteproc remoteproc0: crash detected in adsp: type watchdog/);
    expect(await page.locator('td.cell.st-fail').innerText()).toContain('FAIL');

    // The timeline: a bar per phase and per step that ran, each as wide as its share of the run.
    const rows = section.locator('.timeline .tl-row:not(.tl-axis):not(.not-run)');
    const rowCount = await rows.count();
    expect(rowCount).toBeGreaterThanOrEqual(4 + 4);
    const totalMs = Number(await section.locator('.timeline').getAttribute('data-total-ms'));
    for (let i = 0; i < rowCount; i++) {
      const row = rows.nth(i);
      const durationMs = Number(await row.getAttribute('data-duration-ms'));
      const bar = await row.locator('.tl-bar').boundingBox();
      const track = await row.locator('.tl-track').boundingBox();
      expect(bar!.width).toBeGreaterThan(0);
      // CSS keeps a 2 px floor for near-instant phases; everything else is to scale within a pixel.
      expect(bar!.width).toBeCloseTo(Math.max(2, (durationMs / totalMs) * track!.width), -0.3);
    }
    expect(await section.locator('.tl-row.step.st-fail .tl-label').innerText()).toContain('4. the ADSP never crashed');

    // The dmesg search narrows the log to the matching lines, and clearing it brings them all back.
    const dmesg = section.locator('details.log-section[id$="-dmesg"] .logview');
    const lines = dmesg.locator('.log .ln');
    const visible = () => dmesg.locator('.log .ln:not([hidden])').count();
    const all = await lines.count();
    expect(all).toBeGreaterThan(100);
    expect(await visible()).toBe(all);
    await dmesg.locator('input.log-search').fill('crash detected in adsp');
    await expect.poll(visible).toBe(1);
    expect(await dmesg.locator('.log .ln:not([hidden])').innerText()).toMatch(/crash detected in adsp: type watchdog/);
    expect(await dmesg.locator('.log-count').innerText()).toBe(`1 of ${all} lines`);
    expect(await dmesg.locator('.log .ln:not([hidden]) mark').innerText()).toBe('crash detected in adsp');
    await dmesg.locator('input.log-search').fill('/adsp is now up$/');
    await expect.poll(visible).toBe(2);
    await dmesg.locator('input.log-search').fill('');
    await expect.poll(visible).toBe(all);
    expect(await dmesg.locator('.log mark').count()).toBe(0);

    // The remoteproc history saw the crash and the recovery.
    const adsp = section.locator('.rproc[data-rproc="adsp"]');
    expect(await adsp.locator('.rp-seg.rp-crashed').count()).toBeGreaterThanOrEqual(1);
    expect(await adsp.locator('.rp-head .rp-state').innerText()).toBe('running');

    await mkdir(join(REPO, 'artifacts/screenshots'), { recursive: true });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    process.stdout.write(`html-report screenshot: ${SCREENSHOT}\n`);

    expect(pageErrors).toEqual([]);
    expect(attempted).toEqual([]);
  });
});

// The firmware's platform policy on real machines: one scenario, three profiles. At EL1 and under Xen the firmware
// lets auth_and_reset through without a bridge; at EL2 with no hypervisor it wants one, and stock 6.12 (which makes
// none) is refused: a known issue, reported as such, and the exit code stays 0.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactsBase, latestResults, startPilot } from './support/pilot-cli.ts';

const read = (dir: string, file: string) => readFile(join(dir, file), 'utf8');

describe('the EL3 firmware\'s platform policy (soc: real)', { timeout: 600_000 }, () => {
  it('refuses stock 6.12 at EL2 with no hypervisor for want of an SHM bridge, and lets it through at EL1 and under Xen', async () => {
    const base = await artifactsBase();
    const result = await startPilot(['run', 'scenarios/real-el2-no-hypervisor.yaml', '-j', '2', '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/Known failures, not counted as new \(1\)/);
    const runs = Object.fromEntries((await latestResults(base)).runs.map((run) => [run.id, run]));
    expect(runs['real-el2-no-hypervisor@el1']?.status).toBe('pass');
    expect(runs['real-el2-no-hypervisor@xen-el1']?.status).toBe('pass');
    const el2 = runs['real-el2-no-hypervisor@kvm-el2']!;
    expect(el2.status).toBe('fail');
    expect(el2.known?.link).toMatch(/^https:/);

    const tz = await read(el2.artifactsDir, 'tz.log');
    expect(tz).toContain('tz: boot platform el2-no-hypervisor (Linux at EL2)');
    expect(tz).toMatch(/tz: smc pas auth_and_reset pas=1 refused: no shm bridge over carve-out 0x7c200000\+0x[0-9a-f]+ \(bridges=0\)/);
    expect(await read(el2.artifactsDir, 'dmesg.log')).toContain('qcom_q6v5_pas remoteproc-adsp: failed to authenticate image and release reset');

    expect(await read(runs['real-el2-no-hypervisor@el1']!.artifactsDir, 'tz.log')).toContain('tz: boot platform hypervisor-present (Linux at EL1, as under Gunyah)');
    const xenTz = await read(runs['real-el2-no-hypervisor@xen-el1']!.artifactsDir, 'tz.log');
    expect(xenTz).toContain('tz: boot platform hypervisor-present (Xen at EL2)');
    expect(xenTz).toMatch(/tz: smc pas auth_and_reset pas=1 ok adsp/);
  });

  it('sends a scenario\'s trustzone: setting before Linux boots: the workaround scenarios relax the rule at EL2', async () => {
    const base = await artifactsBase();
    const result = await startPilot(['run', 'scenarios/real-bringup.yaml', '-p', 'kvm-el2', '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(0);
    const [run] = (await latestResults(base)).runs;
    const tz = await read(run!.artifactsDir, 'tz.log');
    const policy = tz.indexOf('tz: boot platform el2-no-hypervisor');
    const relaxed = tz.indexOf('tz: host ok rule bridge-required off');
    const auth = tz.indexOf('tz: smc pas auth_and_reset pas=1 ok adsp');
    expect(policy).toBeGreaterThan(-1);
    expect(relaxed).toBeGreaterThan(policy);
    expect(auth).toBeGreaterThan(relaxed);
  });
});

// A kernel under test pushed onto a soc: real machine: the deploy stops the running remotes, kexecs into Debian's 6.12
// rt kernel on the same device tree and EL3 firmware, and that kernel's own drivers bring ADSP and CDSP up again.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectInOrder } from './support/in-order.ts';
import { artifactsBase, latestResults, startPilot } from './support/pilot-cli.ts';

const read = (dir: string, file: string) => readFile(join(dir, file), 'utf8');
const RT_KERNEL = 'linux-image-6.12-rt-arm64';

describe('kexec on soc: real', { timeout: 900_000 }, () => {
  it('pushes the 6.12 rt kernel, stops the remotes before the jump, proves the new kernel and brings the DSPs up with its drivers', async () => {
    const base = await artifactsBase();
    const result = await startPilot(['run', 'scenarios/real-bringup.yaml', '-p', 'kvm-el2', '--kernel', RT_KERNEL, '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('deploy (stopped adsp, cdsp)');
    expect(result.all).toMatch(/Kernels: 6\.12\.\S+-rt-arm64 on soc real \(1 run\)/);
    const [run] = (await latestResults(base)).runs;
    expect(run?.deploy?.method).toBe('kexec');
    expect(run?.deploy?.release).toMatch(/^6\.12\..*-rt-arm64$/);
    expect(run?.deploy?.previousRelease).toMatch(/^6\.12\..*-arm64$/);
    const dir = run!.artifactsDir;
    const deployRecord = JSON.parse(await read(dir, 'deploy/deploy.json')) as { proof: { release: string } };
    expect(deployRecord.proof.release).toBe(run?.deploy?.release);

    // The pushed kernel's own log: its banner, then its own PAS driver bringing the DSPs up.
    const boot2 = await read(dir, 'dmesg-boot2.log');
    expect(boot2).toMatch(/Linux version 6\.12\.\S+-rt-arm64 .*PREEMPT_RT/);
    expect(boot2).toContain('qcom_scm: convention: smc arm 64');
    expect(boot2).toContain('remote processor adsp is now up');
    expect(boot2).toContain('remote processor cdsp is now up');

    // TrustZone saw both kernels: a PAS sequence, the stop before kexec, the CPUs cycled by PSCI, a second sequence.
    const tz = await read(dir, 'tz.log');
    expectInOrder(tz, [
      /tz: smc pas auth_and_reset pas=1 ok adsp/,
      /tz: smc pas shutdown pas=1 ok adsp was running/,
      /tz: psci cpu_off cpu=1/,
      /tz: psci cpu_on target=0x1/,
      /tz: smc pas auth_and_reset pas=1 ok adsp/,
    ]);
    expect(tz).not.toContain('refused');
  });

  it('refuses a reboot deploy on soc: real before anything boots, with the reason', async () => {
    const base = await artifactsBase();
    const result = await startPilot(['run', 'scenarios/real-bringup.yaml', '-p', 'el1', '--kernel', RT_KERNEL, '--deploy', 'reboot', '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.all).toContain('E_DEPLOY_REFUSED');
    expect(result.all).toMatch(/--kernel linux-image-6\.12-rt-arm64: real-bringup@el1: deploy reboot: cannot deploy by reboot on soc: real: .*EL3 firmware/);
    expect(result.all).not.toContain('qemu-start');
  });
});

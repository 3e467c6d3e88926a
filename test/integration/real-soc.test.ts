// The real SoC on real machines: Debian 6.12's own Qualcomm drivers against the EL3 firmware, through `pilot run`,
// checked from the kernel's lines in dmesg.log and the firmware's in tz.log.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactsBase, latestResults, startPilot } from './support/pilot-cli.ts';

const read = (dir: string, file: string) => readFile(join(dir, file), 'utf8');

describe('real Qualcomm drivers under QEMU (soc: real)', { timeout: 600_000 }, () => {
  it('brings ADSP and CDSP up through qcom_scm and qcom_q6v5_pas at EL2, at EL1 and under Xen, and catches the missing mapping at EL2', async () => {
    const base = await artifactsBase();
    const result = await startPilot(['run', 'scenarios/real-bringup.yaml', 'scenarios/real-missing-mapping.yaml', 'scenarios/real-crash-recovery.yaml', 'scenarios/real-tampered-firmware.yaml', '-j', '1', '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/Kernels: 6\.12\.\S+ on soc real \(10 runs\)/);
    const summary = await latestResults(base);
    expect(summary.runs.map((run) => `${run.id} ${run.status}`).sort()).toEqual([
      'real-bringup@el1 pass',
      'real-bringup@kvm-el2 pass',
      'real-bringup@xen-el1 pass',
      'real-crash-recovery@el1 pass',
      'real-crash-recovery@kvm-el2 pass',
      'real-crash-recovery@xen-el1 pass',
      'real-missing-mapping@kvm-el2 pass',
      'real-tampered-firmware@el1 pass',
      'real-tampered-firmware@kvm-el2 pass',
      'real-tampered-firmware@xen-el1 pass',
    ]);
    for (const run of summary.runs) {
      expect(run.soc).toBe('real');
      expect(run.bootedKernelRelease).toMatch(/^6\.12\./);
    }
    const byId = Object.fromEntries(summary.runs.map((run) => [run.id, run]));

    for (const id of ['real-bringup@el1', 'real-bringup@kvm-el2', 'real-bringup@xen-el1']) {
      const dir = byId[id]!.artifactsDir;
      const dmesg = await read(dir, 'dmesg.log');
      expect(dmesg).toContain('qcom_scm: convention: smc arm 64');
      expect(dmesg).toContain('remote processor adsp is now up');
      expect(dmesg).toContain('remote processor cdsp is now up');
      const tz = await read(dir, 'tz.log');
      expect(tz).toMatch(/tz: boot entering linux el=[12] entry=0x40200000 dtb=0x4c000000/);
      expect(tz).toMatch(/tz: smc pas auth_and_reset pas=1 ok adsp/);
      expect(tz).toMatch(/tz: smc pas auth_and_reset pas=18 ok cdsp/);
      expect(tz).toContain('tz: remote adsp dma boot block ok');
      expect(tz).not.toContain('tz: panic');
    }

    // Under Xen the firmware enters Xen, which forwards dom0's SiP calls (the patched source build, not Debian's binary).
    for (const id of ['real-bringup@xen-el1', 'real-crash-recovery@xen-el1', 'real-tampered-firmware@xen-el1']) {
      const dir = byId[id]!.artifactsDir;
      const serial = await read(dir, 'serial.log');
      expect(serial).toContain("(XEN) QEMU virt: forwarding d0's SiP calls to the firmware (first 0xc2000601)");
      expect(serial).not.toContain('Unhandled SMC/HVC');
      expect(await read(dir, 'dmesg.log')).toContain('Xen 4.17 support found');
      expect(await read(dir, 'machine.dts')).toMatch(/compatible = "multiboot,kernel", "multiboot,module";\s+reg = <0x0 0x41000000 /);
      expect(await read(dir, 'tz.log')).toMatch(/tz: boot entering linux el=2 entry=0x40200000 dtb=0x4c000000/);
    }

    const missing = byId['real-missing-mapping@kvm-el2']!.artifactsDir;
    const dmesg = await read(missing, 'dmesg.log');
    expect(dmesg).toMatch(/arm-smmu-v3 [0-9a-f]+\.smmuv3: event 0x10 received/);
    expect(dmesg).toMatch(/qcom_q6v5_pas \S+: start timed out|start timed out/);
    // The firmware saw the boot DMA come back as garbage: the fault is the SMMU's, not the firmware's.
    const tz = await read(missing, 'tz.log');
    expect(tz).toMatch(/tz: smc pas auth_and_reset pas=1 ok adsp/);
    expect(tz).toMatch(/tz: remote adsp boot failed/);

    // A crash the scenario injected through the firmware's host channel, reported and recovered by the kernel's own drivers.
    for (const id of ['real-crash-recovery@el1', 'real-crash-recovery@kvm-el2', 'real-crash-recovery@xen-el1']) {
      const dir = byId[id]!.artifactsDir;
      const tzLog = await read(dir, 'tz.log');
      expect(tzLog).toContain('tz: host ok fatal adsp pilot: injected by the scenario');
      expect(tzLog.match(/tz: smc pas auth_and_reset pas=1 ok adsp/g)).toHaveLength(2);
      const kernelLog = await read(dir, 'dmesg.log');
      expect(kernelLog).toMatch(/qcom_q6v5_pas \S+: fatal error received: pilot: injected by the scenario/);
      // The CDSP: a watchdog bite, then a fatal error, each the core's own numbered crash and a PAS sequence again.
      expect(kernelLog).toMatch(/qcom_q6v5_pas remoteproc-cdsp: watchdog received: pilot: watchdog bite by the scenario/);
      expect(kernelLog).toMatch(/remoteproc\d+: handling crash #1 in cdsp/);
      expect(kernelLog).toMatch(/qcom_q6v5_pas remoteproc-cdsp: fatal error received: pilot: second crash/);
      expect(kernelLog).toMatch(/remoteproc\d+: handling crash #2 in cdsp/);
      expect(tzLog).toContain('tz: remote cdsp watchdog spi=83 reason="pilot: watchdog bite by the scenario"');
      expect(tzLog.match(/tz: smc pas auth_and_reset pas=18 ok cdsp/g)).toHaveLength(3);
    }

    // Images the firmware refuses, with the kernel's own wording for each refusal.
    for (const id of ['real-tampered-firmware@el1', 'real-tampered-firmware@kvm-el2', 'real-tampered-firmware@xen-el1']) {
      const dir = byId[id]!.artifactsDir;
      const kernelLog = await read(dir, 'dmesg.log');
      expect(kernelLog).toMatch(/qcom_q6v5_pas \S+: failed to authenticate image and release reset/);
      expect(kernelLog).toMatch(/error -22 initializing firmware qcom\/sa8775p\/adsp-bad-signature\.mbn/);
      expect(await read(dir, 'tz.log')).toMatch(/tz: smc pas auth_and_reset pas=1 refused: segment \d+ hash mismatch/);
    }
  });
});

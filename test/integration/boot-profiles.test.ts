// Real boots: each profile's scenario through the CLI, read back from the artifacts the run left.
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { artifactsBase, latestResults, runFile, startPilot } from './support/pilot-cli.ts';

const EL = { 'kvm-el2': 2, 'xen-el1': 1, el1: 1 } as const;

describe('pilot run on the three QEMU profiles', { timeout: 300_000 }, () => {
  it('boots kvm-el2, xen-el1 and el1 and passes every boot scenario', async () => {
    const base = await artifactsBase();
    const result = await startPilot(['run', 'scenarios/boot-kvm-el2.yaml', 'scenarios/boot-xen-el1.yaml', 'scenarios/boot-el1.yaml', '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(0);

    const summary = await latestResults(base);
    expect(summary.complete).toBe(true);
    expect(summary.runs.map((run) => `${run.id}:${run.status}`).sort()).toEqual([
      'boot-el1@el1:pass',
      'boot-kvm-el2@kvm-el2:pass',
      'boot-xen-el1@xen-el1:pass',
    ]);
    for (const run of summary.runs) {
      expect(run.steps.length).toBeGreaterThanOrEqual(4);
      expect(run.steps.every((step) => step.status === 'pass')).toBe(true);
      expect(run.phases.map((phase) => phase.name)).toEqual(['device-tree', 'qemu-start', 'kernel-boot', 'ssh-ready', 'self-check', 'steps']);
      // What the kernel itself printed, kept as artifacts: the console and the kmsg stream.
      const serial = await runFile(base, run.id, 'serial.log');
      expect(serial).toMatch(/Booting Linux on physical CPU/);
      const dmesg = await runFile(base, run.id, 'dmesg.log');
      expect(dmesg).toContain(`CPU: All CPU(s) started at EL${EL[run.profile]}`);
      expect(await runFile(base, run.id, 'qemu-cmdline.sh')).toContain('qemu-system-aarch64');
      expect(run.kernelRelease).toMatch(/-arm64$/);
    }
    const xen = await runFile(base, 'boot-xen-el1@xen-el1', 'serial.log');
    expect(xen).toMatch(/Xen version 4\.17/);

    const junit = new XMLParser({ ignoreAttributes: false }).parse(await runFile(base, '.', 'junit.xml'));
    expect(Number(junit.testsuites['@_tests'])).toBe(3);
    expect(Number(junit.testsuites['@_failures'])).toBe(0);
    expect(Number(junit.testsuites['@_errors'])).toBe(0);
  });
});

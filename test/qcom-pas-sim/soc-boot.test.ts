// Real boots of the simulated SoC on each profile: the kernel's remoteproc core and SMMU driver, not the harness, say what happened.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootSim, kernelLines, prepareSim, reportValues } from './support/sim-boot.ts';

// Loads the module, waits for both remoteprocs to settle, opens the Iris node once, and reports what sysfs says.
const BRING_UP = `
up() { cut -d' ' -f1 /proc/uptime; }
insmod /sim/mc.ko && insmod /sim/videodev.ko || echo "error deps"
t0=$(up)
insmod /sim/qcom_pas_sim.ko || echo "error insmod"
i=0
while [ $i -lt 300 ]; do
  [ "$(cat /sys/class/remoteproc/remoteproc*/state 2>/dev/null | grep -c running)" = 2 ] && break
  [ $((i % 10)) = 9 ] && [ "$(dmesg | grep -c "can't start rproc")" = 2 ] && break
  i=$((i + 1)); usleep 20000
done
if ( : </dev/video0 ) 2>/dev/null; then iris=booted; else iris=fails; fi
echo "bringup_s $t0 $(up)"
for r in /sys/class/remoteproc/remoteproc*; do echo "rproc $(cat $r/name) $(cat $r/state) $(cat $r/firmware) $(cat $r/recovery)"; done
for v in /sys/class/video4linux/video*; do echo "video $(cat $v/name) $iris"; done
echo "hypervisor $(cat /sys/hypervisor/type 2>/dev/null || echo none)"
`;

// Drives the ADSP through the core's own interfaces: stop, start, a crash through debugfs, a tampered image.
const LIFECYCLE = `
for r in /sys/class/remoteproc/remoteproc*; do [ "$(cat $r/name)" = adsp ] && R=$r; done
D=/sys/kernel/debug/remoteproc/$(basename $R)
settle() { i=0; while [ $i -lt 250 ] && [ "$(cat $R/state)" != "$1" ]; do i=$((i + 1)); usleep 20000; done; }
echo stop > $R/state; echo "lifecycle stop $(cat $R/state)"
echo start > $R/state; echo "lifecycle start $(cat $R/state)"
echo 1 > $D/crash; usleep 50000; settle running; echo "lifecycle crash $(cat $R/state)"
echo stop > $R/state
echo qcom/sa8775p/adsp-tampered.mbn > $R/firmware
if echo start > $R/state 2>/dev/null; then rc=0; else rc=1; fi
echo "lifecycle tampered rc=$rc $(cat $R/state)"
cat /sys/kernel/debug/qcom_pas_sim/adsp/state | sed 's/^/state /'
`;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pilot-soc-'));
  await prepareSim(work);
}, 600_000);
afterAll(() => rm(work, { recursive: true, force: true }));

const running = ['adsp running qcom/sa8775p/adsp.mbn enabled', 'cdsp running qcom/sa8775p/cdsp0.mbn enabled'];

describe('the simulated SoC under QEMU', () => {
  it('brings ADSP, CDSP and Iris up on el1 with the base DT, mapping nothing', async () => {
    const { report, dmesg } = await bootSim(work, { profile: 'el1', overlays: [], script: BRING_UP });
    const log = kernelLines(dmesg);
    expect(reportValues(report, 'rproc')).toEqual(running);
    expect(reportValues(report, 'video')).toEqual(['qcom-iris-decoder booted']);
    expect(log).toContain('CPU: All CPU(s) started at EL1');
    expect(log).toContain('remoteproc remoteproc0: powering up adsp');
    expect(log).toContain('remoteproc remoteproc0: Booting fw image qcom/sa8775p/adsp.mbn, size 24576');
    expect(log).toContain('remoteproc remoteproc0: remote processor adsp is now up');
    expect(log).toContain('remoteproc remoteproc1: remote processor cdsp is now up');
    expect(dmesg).not.toMatch(/event 0x10|mapped 1:1|runs at EL2/);
  }, 300_000);

  it('brings all three up on kvm-el2 with the el2 overlay, mapping each carve-out for its stream', async () => {
    const { report, dmesg } = await bootSim(work, { profile: 'kvm-el2', overlays: ['el2'], script: BRING_UP + LIFECYCLE });
    const log = kernelLines(dmesg);
    expect(reportValues(report, 'rproc').slice(0, 2)).toEqual(running);
    expect(reportValues(report, 'video')).toEqual(['qcom-iris-decoder booted']);
    expect(log).toContain('CPU: All CPU(s) started at EL2');
    expect(log).toContain('qcom-pas-sim 0000:00:10.0: carve-out 0x0000000078000000+0x200000 mapped 1:1 for stream 0x80');
    expect(log).toContain('qcom-pas-sim 0000:00:11.0: carve-out 0x0000000078200000+0x200000 mapped 1:1 for stream 0x88');
    expect(log).toContain('qcom-pas-sim 0000:00:12.0: carve-out 0x0000000078400000+0x200000 mapped 1:1 for stream 0x90');
    expect(log.some((l) => /SHM bridge \d+ created for 0x0000000078000000\+0x200000/.test(l))).toBe(true);
    expect(dmesg).not.toMatch(/event 0x10/);

    const [t0, t1] = reportValues(report, 'bringup_s')[0]!.split(' ').map(Number);
    console.log(`kvm-el2: insmod to ADSP, CDSP and Iris up: ${(t1! - t0!).toFixed(2)} s`);
    expect(t1! - t0!).toBeLessThan(3);

    expect(reportValues(report, 'lifecycle')).toEqual(['stop offline', 'start running', 'crash running', 'tampered rc=1 offline']);
    expect(log).toContain('qcom-pas-sim 0000:00:10.0: carve-out 0x0000000078000000+0x200000 unmapped');
    expect(log).toContain('remoteproc remoteproc0: stopped remote processor adsp');
    expect(log).toContain('remoteproc remoteproc0: crash detected in adsp: type watchdog');
    expect(log).toContain('remoteproc remoteproc0: recovering adsp');
    expect(log).toContain('qcom_pas_sim: tz: pas 1: segment 3 does not match its hash');
    expect(log).toContain('qcom-pas-sim 0000:00:10.0: failed to authenticate image and release reset');
    // The failed start left nothing behind: no mapping, no bridge.
    expect(reportValues(report, 'state')).toEqual(expect.arrayContaining(['carveout_mapped: no', 'tz_shm_bridges: 0', 'iommu_domain: none']));
  }, 300_000);

  it('catches the missing mapping on kvm-el2 without the overlay: SMMU faults, then start timed out', async () => {
    const { report, dmesg } = await bootSim(work, { profile: 'kvm-el2', overlays: [], script: BRING_UP });
    const log = kernelLines(dmesg);
    expect(reportValues(report, 'rproc')).toEqual(['adsp offline qcom/sa8775p/adsp.mbn enabled', 'cdsp offline qcom/sa8775p/cdsp0.mbn enabled']);
    expect(reportValues(report, 'video')).toEqual(['qcom-iris-decoder fails']);
    expect(log).toContain('qcom-pas-sim 0000:00:10.0: Linux runs at EL2 but /pcie@10000000/remoteproc@10,0 has no iommus: the carve-out will not be mapped for its DMA master');
    expect(log).toContain('arm-smmu-v3 9050000.smmuv3: event 0x10 received:');
    // Each fault names a processor's stream (0x80 ADSP, 0x88 CDSP) and an address in its carve-out; the log is rate-limited.
    expect(log.some((l) => /smmuv3:\s+0x000000(80|88)00000010$/.test(l))).toBe(true);
    expect(log.some((l) => /smmuv3:\s+0x0000000078[02][0-9a-f]{5}$/.test(l))).toBe(true);
    expect(log).toContain('qcom-pas-sim 0000:00:10.0: start timed out');
    expect(log).toContain('qcom-pas-sim 0000:00:11.0: start timed out');
    expect(log).toContain("remoteproc remoteproc0: can't start rproc adsp: -110");
    expect(log).toContain('qcom-pas-sim 0000:00:12.0: error booting up iris firmware');
    expect(log).toContain('qcom-pas-sim 0000:00:12.0: core init failed');
  }, 300_000);

  it('brings all three up as Xen dom0 with the base DT', async () => {
    const { report, dmesg } = await bootSim(work, { profile: 'xen-el1', overlays: [], script: BRING_UP });
    expect(reportValues(report, 'hypervisor')).toEqual(['xen']);
    expect(reportValues(report, 'rproc')).toEqual(running);
    expect(reportValues(report, 'video')).toEqual(['qcom-iris-decoder booted']);
    expect(kernelLines(dmesg)).toContain('remoteproc remoteproc1: remote processor cdsp is now up');
  }, 300_000);

  it('fails with the el2 overlay when the module is built with the mapping left out', async () => {
    const { report, dmesg } = await bootSim(work, { profile: 'kvm-el2', overlays: ['el2'], script: BRING_UP, variant: 'skip-map' });
    const log = kernelLines(dmesg);
    expect(reportValues(report, 'rproc')).toEqual(['adsp offline qcom/sa8775p/adsp.mbn enabled', 'cdsp offline qcom/sa8775p/cdsp0.mbn enabled']);
    expect(log).toContain('qcom-pas-sim 0000:00:10.0: paging domain attached for stream 0x80; carve-out left unmapped (test build)');
    expect(log).toContain('arm-smmu-v3 9050000.smmuv3: event 0x10 received:');
    expect(log).toContain('qcom-pas-sim 0000:00:10.0: start timed out');
  }, 300_000);
});

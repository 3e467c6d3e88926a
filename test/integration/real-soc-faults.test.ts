// The real SoC's fault scenarios on real machines: stop without a stop-ack, refused and corrupted starts, TrustZone's
// bridge rule, the regression without `iommus`, and two negative controls that must FAIL. One `pilot run` for all,
// two machines at a time; everything is checked from the kernel's lines in dmesg.log and the firmware's in tz.log.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../harness/report/json.ts';
import { artifactsBase, latestResults, startPilot } from './support/pilot-cli.ts';

type Run = ResultsDocument['runs'][number];

const SCENARIOS = ['real-stop-restart', 'real-start-faults', 'real-bridge-rule', 'real-no-iommus'].map((name) => `scenarios/${name}.yaml`);
const CONTROLS = ['tampered-expected-to-boot', 'el2-bringup-without-passthrough'].map((name) => `test/fixtures/real-soc/${name}.yaml`);

const read = (run: Run, file: string) => readFile(join(run.artifactsDir, file), 'utf8');

/** Each pattern matches a line after the previous pattern's line (other lines may come between). */
function expectInOrder(text: string, patterns: RegExp[]): void {
  let from = 0;
  for (const pattern of patterns) {
    const found = new RegExp(pattern.source, pattern.flags.replace('g', '') + 'g');
    found.lastIndex = from;
    const hit = found.exec(text);
    expect(hit, `${pattern} after offset ${from} in:\n${text.slice(from, from + 2000)}`).not.toBeNull();
    from = hit!.index + hit![0].length;
  }
}

describe('real Qualcomm drivers under faults (soc: real)', { timeout: 900_000 }, () => {
  let output = '';
  let exitCode: number | undefined;
  const byId: Record<string, Run> = {};

  beforeAll(async () => {
    const base = await artifactsBase();
    const result = await startPilot(['run', ...SCENARIOS, ...CONTROLS, '-j', '2', '--artifacts', base]);
    output = result.all ?? '';
    exitCode = result.exitCode;
    for (const run of (await latestResults(base)).runs) byId[run.id] = run;
  }, 900_000);

  it('passes every fault scenario and fails exactly the negative controls', () => {
    // 1 = a kernel FAILed an assertion and nothing errored: the controls' failures, nothing else.
    expect(exitCode, output).toBe(1);
    expect(Object.values(byId).map((run) => `${run.id} ${run.status}`).sort()).toEqual([
      'el2-bringup-without-passthrough@kvm-el2 fail',
      'real-bridge-rule@kvm-el2 pass',
      'real-no-iommus@kvm-el2 pass',
      'real-start-faults@el1 pass',
      'real-start-faults@kvm-el2 pass',
      'real-stop-restart@el1 pass',
      'real-stop-restart@kvm-el2 pass',
      'tampered-expected-to-boot@el1 fail',
    ]);
    for (const run of Object.values(byId)) {
      expect(run.soc).toBe('real');
      expect(run.bootedKernelRelease).toMatch(/^6\.12\./);
    }
  });

  it('stops the ADSP through TrustZone, and without a stop-ack times out on the wait and still shuts it down', async () => {
    for (const id of ['real-stop-restart@el1', 'real-stop-restart@kvm-el2']) {
      const dmesg = await read(byId[id]!, 'dmesg.log');
      expect(dmesg.match(/remoteproc\d+: stopped remote processor adsp/g)).toHaveLength(2);
      expectInOrder(dmesg, [/qcom_q6v5_pas remoteproc-adsp: timed out on wait/, /remoteproc\d+: stopped remote processor adsp/]);
      const tz = await read(byId[id]!, 'tz.log');
      expect(tz).toContain('tz: remote adsp stop requested: smp2p stop-ack');
      expect(tz).toContain('tz: remote adsp stop requested: not acking (fault no-stop-ack)');
      expect(tz.match(/tz: smc pas shutdown pas=1 ok adsp was running/g)).toHaveLength(2);
      // boot, restart, restart after the unacked stop
      expect(tz.match(/tz: smc pas auth_and_reset pas=1 ok adsp/g)).toHaveLength(3);
    }
  });

  it('reports a refused auth_and_reset and a corrupted boot DMA with the PAS driver\'s own lines', async () => {
    for (const id of ['real-start-faults@el1', 'real-start-faults@kvm-el2']) {
      const dmesg = await read(byId[id]!, 'dmesg.log');
      expectInOrder(dmesg, [
        /qcom_q6v5_pas remoteproc-adsp: failed to authenticate image and release reset/,
        /can't start rproc adsp: -5/,
        /qcom_q6v5_pas remoteproc-adsp: start timed out/,
        /can't start rproc adsp: -110/,
      ]);
      const tz = await read(byId[id]!, 'tz.log');
      expectInOrder(tz, [
        /tz: smc pas auth_and_reset pas=1 refused: fault refuse-auth/,
        /tz: remote adsp dma corrupting boot block in the edu buffer/,
        /tz: remote adsp boot failed: boot block CRC mismatch/,
        /tz: smc pas shutdown pas=1 ok adsp was failed/,
        /tz: remote adsp dma boot block ok/,
      ]);
    }
  });

  it('refuses the stock kernel at auth_and_reset while the bridge rule is on', async () => {
    const run = byId['real-bridge-rule@kvm-el2']!;
    expect(await read(run, 'dmesg.log')).toMatch(/qcom_q6v5_pas remoteproc-adsp: failed to authenticate image and release reset/);
    const tz = await read(run, 'tz.log');
    expectInOrder(tz, [
      /tz: host ok rule bridge-required on/,
      /tz: smc pas auth_and_reset pas=1 refused: no shm bridge over carve-out 0x7c200000\+0x[0-9a-f]+ \(bridges=0\)/,
      /tz: host ok rule bridge-required off/,
      /tz: smc pas auth_and_reset pas=1 ok adsp/,
    ]);
    expect(tz).not.toContain('tz: bridge create');
  });

  it('times the starts out at EL2 when the remoteproc nodes have no iommus', async () => {
    const run = byId['real-no-iommus@kvm-el2']!;
    const dmesg = await read(run, 'dmesg.log');
    expect(dmesg).toMatch(/no iommu-map translation for id 0x80/);
    expect(dmesg).toMatch(/qcom_q6v5_pas remoteproc-adsp: start timed out/);
    expect(dmesg).toMatch(/qcom_q6v5_pas remoteproc-cdsp: start timed out/);
    expect(dmesg).not.toMatch(/qcom_q6v5_pas remoteproc-adsp: Adding to iommu group/);
    expect(await read(run, 'tz.log')).toMatch(/tz: remote adsp boot failed: no boot block magic/);
  });

  it('fails a tampered image expected to start, at the start, with the kernel\'s refusal', () => {
    const run = byId['tampered-expected-to-boot@el1']!;
    expect(run.failure?.code).toBe('F_RPROC_WRITE');
    expect(run.failure?.message).toBe("start on adsp (remoteproc0) failed with EIO: /sys/class/remoteproc/remoteproc0/state refused 'start'");
    expect(run.steps.find((step) => step.status === 'fail')?.title).toBe('the tampered image starts');
    expect(run.failure?.evidence.join('\n')).toMatch(/qcom_q6v5_pas remoteproc-adsp: failed to authenticate image and release reset/);
  });

  it('fails an EL2 bring-up with iommus and no passthrough expected to reach running', () => {
    const run = byId['el2-bringup-without-passthrough@kvm-el2']!;
    expect(run.failure?.code).toBe('F_RPROC_STATE');
    expect(run.failure?.message).toMatch(/^adsp \(remoteproc\d\) is offline, expected running; cdsp \(remoteproc\d\) is offline, expected running/);
    expect(run.steps.find((step) => step.status === 'fail')?.title).toBe('ADSP and CDSP up');
    expect(run.failure?.evidence.join('\n')).toMatch(/qcom_q6v5_pas remoteproc-adsp: start timed out/);
  });
});

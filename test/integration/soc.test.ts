// The simulated SoC on real machines: every SoC scenario passes, and the same assertions fail when the platform is wrong.
import { describe, expect, it } from 'vitest';
import { artifactsBase, latestResults, startPilot } from './support/pilot-cli.ts';

describe('simulated Qualcomm SoC on the three profiles', { timeout: 600_000 }, () => {
  it('brings up ADSP, CDSP and Iris, stops, crashes, recovers, refuses tampered images, and catches the missing mapping', async () => {
    const base = await artifactsBase();
    const files = ['soc-bringup', 'soc-stop-restart', 'soc-crash-recovery', 'soc-tampered-firmware', 'soc-iris-tampered', 'soc-missing-mapping'];
    const result = await startPilot(['run', ...files.map((file) => `scenarios/${file}.yaml`), '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(0);
    const summary = await latestResults(base);
    // Five scenarios on three profiles, and the regression scenario on kvm-el2 only.
    expect(summary.runs).toHaveLength(16);
    expect(summary.runs.filter((run) => run.status !== 'pass').map((run) => run.id)).toEqual([]);
  });

  it('fails the bring-up at EL2 without the el2 overlay, quoting real SMMU faults, and fails the regression scenario on a mapped machine', async () => {
    const base = await artifactsBase();
    const result = await startPilot([
      'run',
      'test/fixtures/integration/bringup-without-el2-overlay.yaml',
      'test/fixtures/integration/missing-mapping-with-el2-overlay.yaml',
      '--artifacts',
      base,
    ]);
    expect(result.exitCode, result.all).toBe(1);
    const byId = Object.fromEntries((await latestResults(base)).runs.map((run) => [run.id, run]));

    const unmapped = byId['bringup-without-el2-overlay@kvm-el2']!;
    expect(unmapped.status).toBe('fail');
    const evidence = unmapped.failure?.evidence.join('\n') ?? '';
    // Either the fault-storm rule or the state wait catches it; both must quote what the kernel printed.
    expect(`${unmapped.failure?.message}\n${evidence}`).toMatch(/arm-smmu-v3 [0-9a-f]+\.smmuv3: event 0x10 received|start timed out|offline/);

    const mapped = byId['missing-mapping-with-el2-overlay@kvm-el2']!;
    expect(mapped.status).toBe('fail');
    expect(mapped.steps[0]!.status).toBe('fail');
  });
});

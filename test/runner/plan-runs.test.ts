// The planner: every run with its backend and deploy, the jobs a board allows, the shard it records, one image set per kernel.
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import type { BuildImagesOptions } from '../../harness/images/build.ts';
import type { ImageSet } from '../../harness/images/image-set.ts';
import { parseBoardFile } from '../../harness/machine/board/board-file.ts';
import { planRuns, type PlanInput } from '../../harness/runner/plan/plan-runs.ts';
import type { KernelChoice } from '../../harness/runner/plan/planned-run.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';

const STEPS = 'steps: [{ run: "true" }]\n';
const scenario = (text: string) => parseScenario(text, '/lab/scenarios/s.yaml', STEP_KINDS).scenario!;
const plain = scenario(`name: plain\nprofiles: [kvm-el2, el1]\n${STEPS}`);
const pushing = scenario(`name: pushing\nprofiles: [kvm-el2]\nkernel: { debian: linux-image-rt-arm64 }\n${STEPS}`);

function input<K extends KernelChoice>(kernels: K[], extra: Partial<PlanInput<K>> = {}) {
  const built: BuildImagesOptions[] = [];
  const planInput: PlanInput<K> = {
    scenarios: [plain],
    profiles: [],
    jobs: 4,
    kernels,
    knownIssues: [],
    signal: new AbortController().signal,
    onImageProgress: () => {},
    note: () => {},
    buildImages: async (options) => {
      built.push(options);
      return { initramfsPath: '/images/initramfs.cpio.gz' } as ImageSet;
    },
    ...extra,
  };
  return { planInput, built };
}

describe('planRuns', () => {
  it('plans every scenario × profile on QEMU, with no deploy when no kernel is named', async () => {
    const { planInput } = input([{ request: undefined }]);
    const [plan] = await planRuns(planInput);
    expect(plan!.runs.map((run) => [run.id, run.backend.kind, run.deploy])).toEqual([
      ['plain@kvm-el2', 'qemu', undefined],
      ['plain@el1', 'qemu', undefined],
    ]);
    expect(plan!.jobs).toBe(4);
    expect(plan!.shard).toBeUndefined();
  });

  it('sends every run to --board on its profile, one at a time, and notes the scenarios left out', async () => {
    const env = { PLAN_TEST_KEY: ssh2.utils.generateKeyPairSync('ed25519').private };
    const board = await parseBoardFile('name: ride\nhost: 10.0.0.5\nuser: root\nkey-env: PLAN_TEST_KEY\nprofile: kvm-el2\n', '/lab/ride.yaml', { env });
    const elOnly = scenario(`name: el-only\nprofiles: [el1]\n${STEPS}`);
    const notes: string[] = [];
    const { planInput } = input([{ request: undefined }], { scenarios: [plain, elOnly], board, note: (line) => notes.push(line) });
    const [plan] = await planRuns(planInput);
    expect(plan!.runs.map((run) => [run.id, run.backend.kind])).toEqual([['plain@kvm-el2', 'board']]);
    expect(plan!.jobs).toBe(1);
    expect(notes).toEqual(['pilot: board ride claims kvm-el2; not run there: el-only']);
  });

  it('keeps a shard of the matrix and records the whole matrix for pilot merge', async () => {
    const { planInput } = input([{ request: undefined }], { shard: { index: 2, total: 2 } });
    const [plan] = await planRuns(planInput);
    expect(plan!.runs).toHaveLength(1);
    expect(plan!.shard).toEqual({ index: 2, total: 2, matrix: ['plain@kvm-el2', 'plain@el1'] });
  });

  it('asks for Xen from source only when a soc: real run is on xen-el1', async () => {
    const real = scenario(`name: real\nsoc: real\nprofiles: [el1, xen-el1]\n${STEPS}`);
    const withXen = input([{ request: undefined }], { scenarios: [real] });
    await planRuns(withXen.planInput);
    expect(withXen.built.map((options) => [options.realSoc, options.realSocXen])).toEqual([[true, true]]);
    const withoutXen = input([{ request: undefined }], { scenarios: [real], profiles: ['el1'] });
    await planRuns(withoutXen.planInput);
    expect(withoutXen.built.map((options) => [options.realSoc, options.realSocXen])).toEqual([[true, undefined]]);
    // The simulation on xen-el1 keeps Debian's prebuilt Xen.
    const sim = input([{ request: undefined }], { scenarios: [scenario(`name: sim\nprofiles: [xen-el1]\n${STEPS}`)] });
    await planRuns(sim.planInput);
    expect(sim.built.map((options) => [options.realSoc, options.realSocXen])).toEqual([[false, undefined]]);
  });

  it("builds one image set per kernel, the image side's with its fault variant, and pushes nothing there", async () => {
    const sides = [
      { label: 'baseline', request: undefined, imageKernelOnly: true, simModuleDefines: ['SKIP'] },
      { label: 'patched', request: undefined, imageKernelOnly: true },
    ];
    const { planInput, built } = input(sides, { scenarios: [pushing] });
    const plans = await planRuns(planInput);
    expect(plans.map((plan) => plan.kernel.label)).toEqual(['baseline', 'patched']);
    expect(built.map((options) => options.simModuleDefines)).toEqual([['SKIP'], undefined]);
    expect(plans.flatMap((plan) => plan.runs.map((run) => run.deploy))).toEqual([undefined, undefined]);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportLavaJob, type LavaExportOptions } from '../../../harness/export/lava/job.ts';
import { qemuImageArgs } from '../../../harness/export/lava/qemu-context.ts';
import { SHELL_HELPERS } from '../../../harness/export/lava/shell.ts';
import { LAVA_NAME_PATTERN, lavaTestCaseName, lavaTestCaseNames } from '../../../harness/export/lava/test-case-name.ts';
import { translateStep } from '../../../harness/export/lava/translate-step.ts';
import { PROFILES } from '../../../harness/model/profile.ts';
import { qemuCommand } from '../../../harness/machine/qemu-command.ts';
import { loadScenarios, parseScenario, type LoadedScenario } from '../../../harness/scenario/load.ts';
import { lavaValidate } from './lava-validator.ts';
import { STEP_KINDS } from '../../../harness/steps/registry.ts';

const URLS: Omit<LavaExportOptions, 'deviceType'> = {
  kernelUrl: 'https://images.example.org/pilot/Image',
  initrdUrl: 'https://images.example.org/pilot/initramfs.cpio.gz',
  dtbUrl: 'https://images.example.org/pilot/machine.dtb',
  xenUrl: 'https://images.example.org/pilot/xen',
};
const BOARD = 'sa8775p-ride';

let scenarios: LoadedScenario[];
beforeAll(async () => {
  scenarios = await loadScenarios(['scenarios'], STEP_KINDS);
});

interface Job {
  device_type: string;
  context?: Record<string, unknown>;
  actions: Array<Record<string, Record<string, unknown>>>;
}

function runSteps(job: Job): string[] {
  const test = job.actions.find((action) => 'test' in action)!.test as { definitions: Array<{ repository: { run: { steps: string[] } } }> };
  return test.definitions[0]!.repository.run.steps;
}

/** Test case names in the order the script reports them, each once. */
function reportedNames(job: Job): string[] {
  const names: string[] = [];
  for (const line of runSteps(job)) {
    for (const match of line.matchAll(/lava-test-case '([^']+)'/g)) if (!names.includes(match[1]!)) names.push(match[1]!);
  }
  return names;
}

function scenario(text: string): LoadedScenario {
  const result = parseScenario(text, 'inline.yaml', STEP_KINDS);
  if (!result.scenario) throw new Error(result.problems.map((problem) => problem.message).join('\n'));
  return result.scenario;
}

describe('pilot export lava', () => {
  it('exports every scenario, on qemu for each of its profiles and on a board, as jobs LAVA validates', () => {
    const jobs: string[] = [];
    const labels: string[] = [];
    for (const item of scenarios) {
      for (const profile of item.profiles) {
        jobs.push(exportLavaJob(item, { deviceType: 'qemu', profile, ...URLS }));
        labels.push(`${item.name} qemu ${profile}`);
      }
      jobs.push(exportLavaJob(item, { deviceType: BOARD, ...URLS }));
      labels.push(`${item.name} ${BOARD}`);
    }
    expect(scenarios.length).toBeGreaterThanOrEqual(9);
    const verdicts = lavaValidate(jobs);
    expect(Object.fromEntries(labels.map((label, i) => [label, verdicts[i]]))).toEqual(Object.fromEntries(labels.map((label) => [label, null])));
  });

  it('names the test cases after pilot step titles, in step order, in the characters LAVA accepts', () => {
    for (const item of scenarios) {
      const job = parse(exportLavaJob(item, { deviceType: 'qemu', ...URLS })) as Job;
      expect(reportedNames(job), item.name).toEqual(lavaTestCaseNames(item));
      expect(lavaTestCaseNames(item)).toHaveLength(item.steps.length);
      for (const name of reportedNames(job)) expect(name).toMatch(LAVA_NAME_PATTERN);
    }
    const boot = scenarios.find((item) => item.name === 'boot-el1')!;
    expect(lavaTestCaseNames(boot)).toEqual(['expect-el_EL1', 'KVM_unavailable_no_SMMU_no_Xen', 'no_hypervisor_node_cat_fails_with_status_1', 'no_IOMMU_registered']);
  });

  it('keeps names one-to-one with steps when two steps share a title', () => {
    const twice = scenario('name: twice\nsteps:\n  - expect-el: 1\n  - expect-el: 1\n  - run: "true"\n    name: "a / b: c"\n');
    expect(lavaTestCaseNames(twice)).toEqual(['expect-el_EL1', 'expect-el_EL1_2', 'a_b_c']);
    expect(lavaTestCaseName('  spaced  out  ')).toBe('spaced_out');
  });

  it('reports a step it cannot check faithfully as skip with the reason, never as pass', () => {
    const job = parse(
      exportLavaJob(scenario('name: wordy\nprofiles: [el1]\nsteps:\n  - expect-dmesg: { since: boot, matches: ["\\\\bHYP\\\\b"] }\n  - expect-el: 1\n'), {
        deviceType: 'qemu',
        ...URLS,
      }),
    ) as Job;
    const line = runSteps(job).find((step) => step.includes('expect-dmesg_matches'))!;
    expect(line).toMatch(/--result skip # step 1 \(expect-dmesg, line 4\) is not exported: .*\\b has no POSIX ERE equivalent/);
    expect(line).not.toContain('--result pass');
    // An assertion that was not exported changes nothing on the target, so the next step still runs.
    expect(runSteps(job).find((step) => step.includes("'expect-el_EL1'"))).toContain('--result pass');
  });

  it('boots qemu with the flags pilot uses for the profile and leaves console and network to LAVA', () => {
    for (const name of ['kvm-el2', 'xen-el1', 'el1'] as const) {
      const pilot = qemuCommand({ profile: PROFILES[name], kernelImage: 'k', initramfs: 'i', xen: 'x', sshPort: 0 }).args;
      const { context, imageArgs } = qemuImageArgs(PROFILES[name], { dtb: true });
      expect(context.machine).toBe(pilot[pilot.indexOf('-machine') + 1]);
      expect(context.cpu).toBe(pilot[pilot.indexOf('-cpu') + 1]);
      expect(context.extra_options).toContain('-no-reboot');
      expect(context.extra_options.join(' ')).not.toMatch(/-serial|-netdev|-chardev|virtio-net-pci/);
      expect(imageArgs.dtb).toBe('-dtb {dtb}');
    }
    expect(qemuImageArgs(PROFILES['kvm-el2'], { dtb: false }).context.machine).toContain('iommu=smmuv3');
    const xen = qemuImageArgs(PROFILES['xen-el1'], { dtb: false }).imageArgs;
    expect(xen.xen).toBe('-kernel {xen} -append "dom0_mem=512M loglvl=warning guest_loglvl=none"');
    expect(xen.kernel).toBe('-device "guest-loader,addr=0x49000000,kernel={kernel},bootargs=console=hvc0 printk.devkmsg=on panic=-1"');
    expect(qemuImageArgs(PROFILES.el1, { dtb: false }).imageArgs.kernel).toBe('-kernel {kernel} -append "console=ttyAMA0 printk.devkmsg=on panic=-1"');
  });

  it('deploys a board by TFTP and boots it with U-Boot, with pilot\'s kmsg markers allowed', () => {
    const job = parse(exportLavaJob(scenarios.find((item) => item.name === 'soc-bringup')!, { deviceType: BOARD, ...URLS })) as Job;
    expect(job.actions[0]!.deploy).toMatchObject({ to: 'tftp', kernel: { url: URLS.kernelUrl }, ramdisk: { url: URLS.initrdUrl }, dtb: { url: URLS.dtbUrl } });
    expect(job.actions[1]!.boot).toMatchObject({ method: 'u-boot', commands: 'ramdisk' });
    expect(job.context).toEqual({ extra_kernel_args: 'printk.devkmsg=on' });
  });

  it('refuses xen-el1 on qemu without the Xen image and a profile the scenario does not name', () => {
    const soc = scenarios.find((item) => item.name === 'soc-bringup')!;
    const { xenUrl: _unused, ...withoutXen } = URLS;
    expect(() => exportLavaJob(soc, { deviceType: 'qemu', profile: 'xen-el1', ...withoutXen })).toThrow(expect.objectContaining({ code: 'E_LAVA_XEN_URL' }));
    const boot = scenarios.find((item) => item.name === 'boot-el1')!;
    expect(() => exportLavaJob(boot, { deviceType: 'qemu', profile: 'kvm-el2', ...URLS })).toThrow(expect.objectContaining({ code: 'E_LAVA_PROFILE' }));
  });
});

describe("LAVA's validator (negative controls)", () => {
  it('rejects broken jobs: no timeouts, a test definition name with a space, an unknown deploy key, a bad boot method', () => {
    const good = exportLavaJob(scenarios.find((item) => item.name === 'boot-el1')!, { deviceType: 'qemu', ...URLS });
    const breakers: Array<(job: Record<string, any>) => void> = [
      (job) => delete job.timeouts,
      (job) => (job.actions[2].test.definitions[0].name = 'pilot boot-el1'),
      (job) => (job.actions[0].deploy.bogus = true),
      (job) => (job.actions[1].boot.method = 'teleport'),
      (job) => delete job.actions[2].test.definitions[0].repository.metadata.format,
    ];
    const broken = breakers.map((breakIt) => {
      const job = parse(good) as Record<string, any>;
      breakIt(job);
      return JSON.stringify(job);
    });
    const verdicts = lavaValidate([good, ...broken]);
    expect(verdicts[0]).toBeNull();
    for (const verdict of verdicts.slice(1)) expect(verdict).toMatch(/Invalid/);
  });
});

describe('the exported shell checks, run by sh against a fake kernel log', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'pilot-lava-sh-'));
  });

  /** Runs a step's check with `dmesg` replaced by the given lines; true when it exits 0. Waits are cut to two tries. */
  async function holds(exported: string, dmesgLines: string[]): Promise<boolean> {
    const check = exported.replace(/^pilot_retry \d+ /, 'pilot_retry 2 ');
    const log = join(folder, `dmesg-${Math.random().toString(36).slice(2)}`);
    await writeFile(log, dmesgLines.map((line, i) => `[   ${i}.000000] ${line}\n`).join(''));
    const work = join(folder, 'work');
    const script = [...SHELL_HELPERS.map((line) => line.replaceAll('/tmp/pilot-lava', work)), `dmesg() { cat ${log}; }`, `( ${check.replaceAll('/tmp/pilot-lava', work)} )`].join('\n');
    try {
      execFileSync('/bin/sh', ['-c', script], { stdio: 'pipe', timeout: 20_000 });
      return true;
    } catch (error) {
      if (process.env.PILOT_LAVA_DEBUG) process.stderr.write(`${script}\n${String((error as { stderr?: unknown }).stderr)}\n`);
      return false;
    }
  }

  function checkOf(name: string, index: number, profile: 'el1' | 'kvm-el2' = 'el1'): string {
    const step = scenarios.find((item) => item.name === name)!.steps[index]!;
    const number = String(index + 1).padStart(2, '0');
    const translated = translateStep(step, { step: number, previous: String(Math.max(1, index)).padStart(2, '0'), profile: PROFILES[profile] });
    if (!('check' in translated)) throw new Error(translated.untranslatable);
    return translated.check;
  }

  it('expect-el reads the kernel line for the EL', async () => {
    const check = checkOf('boot-el1', 0);
    expect(await holds(check, ['CPU: All CPU(s) started at EL1'])).toBe(true);
    expect(await holds(check, ['CPU: All CPU(s) started at EL2'])).toBe(false);
  });

  it('contains and absent patterns, as literal text or regex, since boot', async () => {
    const check = checkOf('boot-el1', 1);
    expect(await holds(check, ['kvm [1]: HYP mode not available', 'smmu: none'])).toBe(true);
    expect(await holds(check, ['kvm [1]: HYP mode not available', 'Xen 4.17 support found'])).toBe(false);
    expect(await holds(check, ['kvm [1]: HYP mode not available', 'arm-smmu-v3 9050000.smmuv3: probed'])).toBe(false);
    expect(await holds(check, ['kvm: HYP mode not available'])).toBe(false);
  });

  it('in-order needs the lines in order after the previous step began', async () => {
    const check = checkOf('soc-crash-recovery', 2);
    const lines = ['crash detected in adsp: type watchdog', 'recovering adsp', 'remote processor adsp is now up'];
    expect(await holds(check, ['old: remote processor adsp is now up', 'pilot-lava: step 02 begins', ...lines])).toBe(true);
    expect(await holds(check, ['pilot-lava: step 02 begins', lines[0]!, lines[2]!, lines[1]!])).toBe(false);
    // Before the window: the lines were there, but not since the previous step began.
    expect(await holds(check, [...lines, 'pilot-lava: step 02 begins'])).toBe(false);
  });

  it('an absent /regex/ catches SMMU faults written the way the kernel writes them', async () => {
    const check = checkOf('soc-bringup', 6, 'kvm-el2');
    expect(await holds(check, ['remote processor adsp is now up'])).toBe(true);
    expect(await holds(check, ['arm-smmu-v3 9050000.smmuv3: event 0x10 received:'])).toBe(false);
  });
});

import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AbortedError, InfraError } from '../../harness/core/errors.ts';
import { PROFILES } from '../../harness/model/profile.ts';
import type { StepResult } from '../../harness/model/results.ts';
import { runSteps, StepsInterrupted, type RunStepsInput } from '../../harness/runner/run-steps.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';
import { defineStepKind, type StepContext } from '../../harness/steps/step.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { FakeTrustZone } from '../fakes/fake-trust-zone.ts';
import { realBootLog } from '../fakes/kmsg.ts';

/** A step that waits `ms` and ignores its signal, like a badly written step kind would. */
const contexts: StepContext[] = [];
const sleepKind = defineStepKind<number>({
  name: 'sleep',
  description: 'test only',
  schema: z.number(),
  title: (ms) => `sleep ${ms}`,
  async run(ms, context) {
    contexts.push(context);
    await new Promise((resolve) => setTimeout(resolve, ms));
  },
});
const KINDS = [...STEP_KINDS, sleepKind];

const guests: FakeGuest[] = [];
afterEach(async () => {
  for (const guest of guests.splice(0)) await guest.close();
  contexts.length = 0;
});

async function setup(yaml: string, options: { boot?: string[]; deadlineMs?: number; realBoot?: boolean } = {}) {
  const parsed = parseScenario(`name: engine-test\nprofiles: [kvm-el2]\n${yaml}`, 'engine-test.yaml', KINDS);
  expect(parsed.problems).toEqual([]);
  const guest = new FakeGuest();
  guests.push(guest);
  if (options.realBoot !== false) guest.kernelLog.replay(realBootLog('kvm-el2'));
  if (options.boot) guest.kernelLog.log(...options.boot);
  const artifactsDir = await mkdtemp(join(tmpdir(), 'pilot-steps-'));
  const controller = new AbortController();
  const events: string[] = [];
  const input: RunStepsInput = {
    scenario: parsed.scenario!,
    profile: PROFILES['kvm-el2'],
    guest,
    signal: controller.signal,
    deadline: Date.now() + (options.deadlineMs ?? 10_000),
    machineDied: guest.machine.died,
    artifactsDir,
    kinds: KINDS,
    hooks: {
      onStepBegin: (index, title) => events.push(`begin ${index} ${title}`),
      onStepEnd: (step) => events.push(`end ${step.index} ${step.status}`),
    },
  };
  return { input, guest, controller, events, artifactsDir };
}

const statuses = (steps: StepResult[]) => steps.map((step) => step.status);

describe('runSteps', () => {
  it('runs every step with contiguous kmsg windows and writes each window', async () => {
    const { input, guest, events, artifactsDir } = await setup(`steps:
  - expect-el: profile
  - run: insmod /lib/modules/qcom_pas_sim.ko
  - expect-dmesg: { contains: "powering up adsp", since: previous }
`);
    const bootEnd = guest.kernelLog.nextSeq();
    guest.onExec(/^insmod/, { log: ['remoteproc remoteproc0: powering up adsp', 'remoteproc remoteproc0: remote processor adsp is now up'] });
    const steps = await runSteps(input);

    expect(statuses(steps)).toEqual(['pass', 'pass', 'pass']);
    expect(steps.map((step) => step.dmesgWindow)).toEqual([
      { fromSeq: bootEnd, toSeq: bootEnd },
      { fromSeq: bootEnd, toSeq: bootEnd + 2 },
      { fromSeq: bootEnd + 2, toSeq: bootEnd + 2 },
    ]);
    expect(steps.map((step) => [step.index, step.kind, step.title, step.line])).toEqual([
      [0, 'expect-el', 'expect-el: as the profile says', 4],
      [1, 'run', 'run: insmod /lib/modules/qcom_pas_sim.ko', 5],
      [2, 'expect-dmesg', 'expect-dmesg: contains "powering up adsp"', 6],
    ]);
    expect(steps[0]!.assertions).toEqual(['boot log: no kernel error reports', 'Linux started at EL2 (profile kvm-el2)', 'no kernel error reports']);
    expect(events).toEqual([
      'begin 0 expect-el: as the profile says',
      'end 0 pass',
      'begin 1 run: insmod /lib/modules/qcom_pas_sim.ko',
      'end 1 pass',
      'begin 2 expect-dmesg: contains "powering up adsp"',
      'end 2 pass',
    ]);
    expect((await readdir(join(artifactsDir, 'steps'))).sort()).toEqual(['00-boot.dmesg', '01-expect-el.dmesg', '02-run.dmesg', '03-expect-dmesg.dmesg']);
    expect(await readFile(join(artifactsDir, 'steps', '02-run.dmesg'), 'utf8')).toMatch(
      /^\[ *\d+\.\d{6}\] remoteproc remoteproc0: powering up adsp\n\[ *\d+\.\d{6}\] remoteproc remoteproc0: remote processor adsp is now up\n$/,
    );
    const bootLines = (await readFile(join(artifactsDir, 'steps', '00-boot.dmesg'), 'utf8')).trimEnd().split('\n');
    expect(bootLines).toHaveLength(guest.kernelLog.since(0).filter((record) => record.seq < bootEnd).length);
    expect(bootLines[1]).toMatch(/^\[ +0\.000000\] Linux version 6\.1\.0-56-arm64 /);
    expect(guest.kernelLog.listenerCount).toBe(0);
  });

  it("keeps a run step's whole output beside its window, and a failure's tail names that file", async () => {
    const { input, guest, artifactsDir } = await setup(`steps:
  - run: { command: dump, exit: 3 }
`);
    const stdout = Array.from({ length: 30 }, (_, line) => `line ${line + 1}`).join('\n') + '\n';
    guest.onExec(/^dump/, { code: 0, stdout });
    const [step] = await runSteps(input);
    expect(step!.status).toBe('fail');
    expect(await readFile(join(artifactsDir, 'steps', '01-run.stdout'), 'utf8')).toBe(stdout);
    expect((await readdir(join(artifactsDir, 'steps'))).sort()).toEqual(['00-boot.dmesg', '01-run.dmesg', '01-run.stdout']);
    expect(step!.failure!.evidence[0]).toBe('stdout: (last 20 of 30 lines; all in steps/01-run.stdout)');
    expect(step!.failure!.evidence.at(-1)).toBe('stdout| line 30');
  });

  it('gives steps the TrustZone channel with contiguous tz windows, so since: previous sees what the step before caused', async () => {
    const { input } = await setup(`steps:
  - remote-fault: { processor: cdsp, fault: refuse-auth }
  - expect-tz: { contains: "tz: host ok fault cdsp refuse-auth on", since: previous }
  - sleep: 1
  - expect-tz: { contains: "tz: host ok" }
`);
    const trustZone = new FakeTrustZone(['tz: boot pilot-el3 version=1 cpu=0 linux_el=2', 'tz: remote cdsp state booting->running (booted)']);
    try {
      const steps = await runSteps({ ...input, trustZone });
      expect(statuses(steps)).toEqual(['pass', 'pass', 'pass', 'fail']);
      expect(steps[3]!.failure?.code).toBe('F_TZ_MISSING');
      expect(contexts.map((context) => [context.trustZone, context.tzWindowStart, context.previousTzWindowStart])).toEqual([[trustZone, 3, 3]]);
    } finally {
      trustZone.dispose();
    }
  });

  it('stops at the first failure and skips the rest, telling the hooks', async () => {
    const { input, guest, events } = await setup(`steps:
  - run: "false"
  - run: "true"
  - expect-el: 2
`);
    guest.onExec('false', { code: 1 }).onExec('true', {});
    const steps = await runSteps(input);
    expect(statuses(steps)).toEqual(['fail', 'skip', 'skip']);
    expect(steps[0]!.failure).toMatchObject({ code: 'F_RUN_EXIT', message: "'false' exited with 1, expected 0" });
    expect(guest.execCalls.map((call) => call.command)).toEqual(['false']);
    expect(events).toEqual(['begin 0 run: false', 'end 0 fail', 'end 1 skip', 'end 2 skip']);
  });

  it('fails a passing step when the kernel reported an error during it, quoting it', async () => {
    const { input, guest } = await setup('steps:\n  - run: echo 1 > /sys/kernel/debug/remoteproc/remoteproc0/crash\n  - run: "true"\n');
    guest.onExec(/crash$/, {
      log: [
        'WARNING: CPU: 1 PID: 212 at drivers/remoteproc/remoteproc_core.c:1900 rproc_crash_handler_work+0x50/0xd0',
        'Call trace:',
        ' rproc_crash_handler_work+0x50/0xd0',
      ],
    });
    const steps = await runSteps(input);
    expect(statuses(steps)).toEqual(['fail', 'skip']);
    expect(steps[0]!.failure!.code).toBe('F_KERNEL_ERROR');
    expect(steps[0]!.failure!.message).toMatch(/^kernel reported an error \(warning\) during step 1: WARNING: CPU: 1 PID: 212/);
    expect(steps[0]!.failure!.evidence.some((line) => line.startsWith('> ') && line.includes('WARNING: CPU: 1'))).toBe(true);
  });

  it('honours opt-outs and notes each one with its reason', async () => {
    const { input, guest } = await setup(`kernel-errors:
  - { pattern: warning, reason: the crash test triggers a WARN on purpose }
steps:
  - run: crash-it
`);
    guest.onExec('crash-it', { log: ['WARNING: CPU: 1 PID: 212 at drivers/remoteproc/remoteproc_core.c:1900 x+0x1/0x2', 'Call trace:'] });
    const steps = await runSteps(input);
    expect(statuses(steps)).toEqual(['pass']);
    expect(steps[0]!.assertions.slice(0, 2)).toEqual([
      "kernel-error oracle ignores 'warning' in this scenario: the crash test triggers a WARN on purpose",
      'boot log: no kernel error reports (opted out: warning)',
    ]);
    expect(steps[0]!.assertions).toContain(
      'ignored kernel warning report "WARNING: CPU: 1 PID: 212 at drivers/remoteproc/remoteproc_core.c:1900 x+0x1/0x2": opted out by \'warning\' because the crash test triggers a WARN on purpose',
    );
  });

  it('catches kernel reports logged during the step but received only after it', async () => {
    const { input, guest } = await setup('steps:\n  - run: poke\n');
    guest.onExec('poke', () => {
      guest.kernelLog.logUnreceived('BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580');
      return {};
    });
    const steps = await runSteps(input);
    expect(steps[0]!.status).toBe('fail');
    expect(steps[0]!.failure!.code).toBe('F_KERNEL_ERROR');
  });

  it('checks the boot log before step 1; a report there fails step 1 without running it', async () => {
    const { input, guest, artifactsDir } = await setup('steps:\n  - run: "true"\n  - run: "true"\n', {
      boot: ['Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008', 'Internal error: Oops: 0000000096000005 [#1] SMP'],
    });
    guest.onExec('true', {});
    const steps = await runSteps(input);
    expect(statuses(steps)).toEqual(['fail', 'skip']);
    expect(steps[0]!.failure!.message).toMatch(/^kernel reported 2 errors \(unable-to-handle, oops\) during boot, before step 1 ran/);
    expect(guest.execCalls).toEqual([]);
    expect(await readFile(join(artifactsDir, 'steps', '00-boot.dmesg'), 'utf8')).toMatch(/Internal error: Oops/);
  });

  it('turns machine death mid-step into an error with the cause, and skips the rest', async () => {
    const { input, guest } = await setup('steps:\n  - run: sleep 60\n  - run: "true"\n');
    guest.onExec('sleep 60', { hang: true });
    setTimeout(() => guest.machine.die(new InfraError('E_QEMU_EXITED', 'QEMU exited with status 1: hardware error')), 50);
    const started = Date.now();
    const steps = await runSteps(input);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(statuses(steps)).toEqual(['error', 'skip']);
    expect(steps[0]!.failure).toMatchObject({ code: 'E_QEMU_EXITED', message: 'QEMU exited with status 1: hardware error' });
  });

  it('counts a machine that died of a kernel panic as a kernel failure', async () => {
    const { input, guest } = await setup('steps:\n  - run: echo c > /proc/sysrq-trigger\n');
    guest.onExec(/sysrq/, () => {
      guest.kernelLog.log('sysrq: Trigger a crash', 'Kernel panic - not syncing: sysrq triggered crash');
      setTimeout(() => guest.machine.die(), 10);
      return { hang: true };
    });
    const steps = await runSteps(input);
    expect(steps[0]!.status).toBe('fail');
    expect(steps[0]!.failure!.code).toBe('F_KERNEL_ERROR');
    expect(steps[0]!.failure!.evidence.at(-1)).toBe('the step itself ended with E_QEMU_EXITED: QEMU exited with status 1');
  });

  it('on abort records the step as an error, skips the rest and rethrows with the results', async () => {
    const { input, guest, controller, events } = await setup('steps:\n  - run: sleep 60\n  - run: "true"\n');
    // Aborted once the step is running (a timer from here raced the set-up on a loaded machine and aborted before it).
    guest.onExec('sleep 60', () => {
      setTimeout(() => controller.abort(), 10);
      return { hang: true };
    });
    const error = await runSteps(input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StepsInterrupted);
    expect(error).toBeInstanceOf(AbortedError);
    const { steps } = error as StepsInterrupted;
    expect(statuses(steps)).toEqual(['error', 'skip']);
    expect(steps[0]!.failure!.code).toBe('E_ABORTED');
    expect(events).toEqual(['begin 0 run: sleep 60', 'end 0 error', 'end 1 skip']);
    expect(guest.execCalls[0]!.options.signal!.aborted).toBe(true);
  });

  it("ends a step that outlives its own timeout as an error, naming the step's timeout", async () => {
    const { input } = await setup('steps:\n  - sleep: 5000\n    timeout: 100ms\n');
    const started = Date.now();
    const steps = await runSteps(input);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(steps[0]!.status).toBe('error');
    expect(steps[0]!.failure).toMatchObject({ code: 'E_STEP_TIMEOUT', message: 'step 1 (sleep 5000) did not finish within its timeout of 100 ms' });
  });

  it("names the scenario's timeout when that is what ran out", async () => {
    const { input } = await setup('steps:\n  - sleep: 5000\n    timeout: 1m\n', { deadlineMs: 100 });
    const steps = await runSteps(input);
    expect(steps[0]!.failure).toMatchObject({ code: 'E_SCENARIO_TIMEOUT', message: "step 1 (sleep 5000) did not finish within the scenario's timeout" });
  });

  it("gives each step a fresh deadline and ends the previous step's signal", async () => {
    const { input } = await setup('steps:\n  - sleep: 10\n    timeout: 100ms\n  - sleep: 250\n    timeout: 1s\n');
    const steps = await runSteps(input);
    expect(statuses(steps)).toEqual(['pass', 'pass']);
    expect(contexts.map((context) => context.signal.aborted)).toEqual([true, true]);
    expect(contexts[1]!.deadline - contexts[0]!.deadline).toBeGreaterThan(500);
  });

  it('is an error when the kernel log cannot be read after a step', async () => {
    const { input, guest } = await setup('steps:\n  - run: "true"\n');
    guest.onExec('true', () => {
      guest.kernelLog.syncError = new InfraError('E_KMSG_CLOSED', 'the kmsg reader stopped');
      return {};
    });
    const steps = await runSteps(input);
    expect(steps[0]!.status).toBe('error');
    expect(steps[0]!.failure).toMatchObject({ code: 'E_DMESG_SYNC', message: 'could not read the kernel log after the step: the kmsg reader stopped' });
  });

  it('survives a hook that throws', async () => {
    const { input, guest } = await setup('steps:\n  - run: "true"\n');
    guest.onExec('true', {});
    input.hooks = {
      onStepBegin: () => {
        throw new Error('reporter bug');
      },
    };
    expect(statuses(await runSteps(input))).toEqual(['pass']);
  });
});

// After a deploy: the SoC's processors run on the pushed kernel, as its own log says. Shared by the kexec, reboot and board tests.
import { expect } from 'vitest';
import type { RunningMachine } from '../../../harness/machine/machine.ts';
import { createStepContext } from '../../../harness/runner/run-steps.ts';
import { expectRproc } from '../../../harness/steps/expect-rproc.ts';
import { iris } from '../../../harness/steps/iris.ts';

export async function expectSocUpOnPushedKernel(
  machine: RunningMachine,
  release: string,
  options: { artifactsDir: string; signal: AbortSignal; withIris: boolean },
): Promise<void> {
  const context = createStepContext({
    guest: machine.guest,
    profile: machine.profile,
    signal: options.signal,
    deadline: Date.now() + 120_000,
    machineDied: machine.died,
    windowStart: 0,
    previousWindowStart: 0,
    artifactsDir: options.artifactsDir,
    note: () => {},
  });
  await expectRproc.run(expectRproc.schema.parse({ adsp: 'running', cdsp: 'running', within: '60s' }), context);
  if (options.withIris) await iris.run(iris.schema.parse({ open: 'decoder', expect: 'booted' }), context);
  await machine.guest.kernelLog.sync({ deadline: Date.now() + 30_000 });
  // The records come from the new kernel's own log: its banner is the pushed release.
  const log = machine.guest.kernelLog.records.map((record) => record.text);
  expect(log.some((line) => line.includes(`Linux version ${release}`))).toBe(true);
  expect(log.some((line) => line.includes('remote processor adsp is now up'))).toBe(true);
  expect(log.some((line) => line.includes('remote processor cdsp is now up'))).toBe(true);
}

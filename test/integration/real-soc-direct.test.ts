// A direct boot on `soc: real`: Debian's 6.12 as the kernel under test (its own package, resolved like any --kernel),
// its initrd assembled on the host from the real set's initramfs with the Qualcomm drivers' load list, put in RAM by
// the loader devices behind the EL3 firmware; proven on the first boot, and its own PAS drivers bring ADSP and CDSP up.
// Machine level: the plan's soc: real deployers are wired where kexec on soc: real lands (deployers.ts).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectDeployer } from '../../harness/deploy/direct.ts';
import { buildImages } from '../../harness/images/build.ts';
import type { ImageSet } from '../../harness/images/image-set.ts';
import { realSocDriverModules } from '../../harness/images/real-soc-images.ts';
import { resolveKernelInput, type KernelUnderTest } from '../../harness/kernel/input.ts';
import type { RunningMachine } from '../../harness/machine/machine.ts';
import { QemuMachine } from '../../harness/machine/qemu-machine.ts';
import { PROFILES } from '../../harness/model/profile.ts';
import { createStepContext } from '../../harness/runner/run-steps.ts';
import { expectRproc } from '../../harness/steps/expect-rproc.ts';

let dir: string;
let images: ImageSet;
let kernel: KernelUnderTest;
let running: RunningMachine | undefined;
const signal = new AbortController().signal;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pilot-real-direct-'));
  images = await buildImages({ realSoc: true });
  kernel = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-6.12-arm64' });
}, 900_000);

afterAll(async () => {
  await running?.stop();
  if (dir && !process.env.PILOT_KEEP_ARTIFACTS) await rm(dir, { recursive: true, force: true });
});

describe('deploy: direct on soc: real', { timeout: 600_000 }, () => {
  it("boots 6.12 behind the EL3 firmware from the host's initrd, proves it, and its PAS drivers start both DSPs", async () => {
    const real = images.realSoc!;
    const deployer = new DirectDeployer({ baseInitramfs: real.initramfsPath, extraModules: await realSocDriverModules() });
    const boot = await deployer.prepareBoot(kernel, { workDir: join(dir, 'deploy'), signal });
    expect(boot.initrd.loadOrder.some((path) => path.endsWith('/qcom_q6v5_pas.ko') || path.endsWith('/qcom_q6v5_pas.ko.xz'))).toBe(true);
    const started = performance.now();
    const machine = new QemuMachine({ profile: PROFILES.el1, images, socKind: 'real', deployMethod: 'direct' });
    running = await machine.start({ artifactsDir: dir, signal, deadline: Date.now() + 300_000, kernel: { imagePath: boot.kernelImage, initramfsPath: boot.initrd.path } });
    const result = await deployer.deploy(running, kernel, { workDir: join(dir, 'deploy'), signal, deadline: Date.now() + 300_000, booted: { boot, bootMs: performance.now() - started } });
    expect(result).toMatchObject({ method: 'direct', previousBootId: undefined, pushes: [] });
    expect(result.proof).toMatchObject({ release: kernel.release, procVersion: kernel.versionString, bootId: running.bootId });
    // The loader devices put the host's initrd in RAM, and the generated DT's /chosen gives its size.
    expect(await readFile(join(dir, 'qemu-cmdline.sh'), 'utf8')).toContain(`loader,file=${boot.initrd.path}`);
    const context = createStepContext({
      guest: running.guest,
      profile: running.profile,
      signal,
      deadline: Date.now() + 120_000,
      machineDied: running.died,
      windowStart: 0,
      previousWindowStart: 0,
      artifactsDir: dir,
      note: () => {},
    });
    await expectRproc.run(expectRproc.schema.parse({ adsp: 'running', cdsp: 'running', within: '60s' }), context);
    const tz = await readFile(join(dir, 'tz.log'), 'utf8');
    expect(tz).toMatch(/tz: smc pas auth_and_reset pas=1 ok adsp/);
    await running.guest.kernelLog.sync({ deadline: Date.now() + 30_000 });
    const log = running.guest.kernelLog.records.map((record) => record.text);
    expect(log.some((line) => line.startsWith(`Linux version ${kernel.release}`))).toBe(true);
    expect(log.some((line) => line.includes('remote processor adsp is now up'))).toBe(true);
  });
});

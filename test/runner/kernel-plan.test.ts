// The kernel plan: the scenario's kernel: key as loaded, --kernel overriding it, auto choosing kexec or reboot, and
// impossible deploys refused together, each naming where it was asked for.
import { describe, expect, it } from 'vitest';
import { InfraError, InputError } from '../../harness/core/errors.ts';
import { createDeployers } from '../../harness/deploy/deployers.ts';
import type { ImageSet } from '../../harness/images/image-set.ts';
import type { BoardConfig } from '../../harness/machine/board/board-file.ts';
import { BoardMachine } from '../../harness/machine/board/board-machine.ts';
import { PROFILES } from '../../harness/model/profile.ts';
import { boardDeployers } from '../../harness/runner/board-deployers.ts';
import { deployFlag } from '../../harness/cli/scenario-args.ts';
import type { Deployer, DeployMethod } from '../../harness/deploy/deploy.ts';
import { DirectDeployer } from '../../harness/deploy/direct.ts';
import { KexecDeployer } from '../../harness/deploy/kexec.ts';
import { planKernels, type KernelRequest } from '../../harness/runner/kernel-plan.ts';
import type { Profile } from '../../harness/model/profile.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import { formatProblem } from '../../harness/config/problem.ts';
import { expandMatrix } from '../../harness/scenario/matrix.ts';
import { rejectionOf } from '../fakes/rejection.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';

/** A reboot deployer that works everywhere, and the real kexec one (whose refusal is what auto reads). */
function deployers(rebootRefusal?: string): Record<DeployMethod, Deployer> {
  const reboot: Deployer = { method: 'reboot', refusal: (_: Profile) => rebootRefusal, deploy: () => Promise.reject(new Error('not in a unit test')) };
  return { kexec: new KexecDeployer({ baseInitramfs: '/nonexistent' }), reboot, direct: new DirectDeployer({ baseInitramfs: '/nonexistent' }) };
}

function scenario(text: string, file = '/lab/scenarios/push.yaml') {
  const result = parseScenario(text, file, STEP_KINDS);
  expect(result.problems.map(formatProblem)).toEqual([]);
  return result.scenario!;
}

const STEPS = 'steps: [{ run: "true" }]\n';

describe('the scenario kernel: key', () => {
  it('makes paths absolute against the scenario folder and gives every profile a method', () => {
    const loaded = scenario(`name: push\nprofiles: [kvm-el2, xen-el1]\nkernel:\n  image: ../out/Image\n  modules: ../out/modules.tar.gz\n  deploy: { xen-el1: reboot }\n${STEPS}`);
    expect(loaded.kernel).toEqual({
      spec: { kind: 'image+modules', image: '/lab/out/Image', modules: '/lab/out/modules.tar.gz' },
      deploy: { 'kvm-el2': 'auto', 'xen-el1': 'reboot' },
      origin: '/lab/scenarios/push.yaml:4:3',
    });
  });

  it('rejects two sources, an Image without modules and an unknown method, at their lines', () => {
    const problems = (text: string) => parseScenario(text, 'k.yaml', STEP_KINDS).problems.map(formatProblem);
    expect(problems(`name: k\nkernel:\n  build-dir: .\n  debian: linux-image-rt-arm64\n${STEPS}`)).toEqual([
      'k.yaml:3:3: kernel: give one kernel source, not build-dir and debian',
    ]);
    expect(problems(`name: k\nkernel:\n  image: Image\n${STEPS}`)).toEqual(['k.yaml:3:10: kernel.image: an Image needs `modules:` beside it: the folder or tarball of its lib/modules/<release>']);
    expect(problems(`name: k\nkernel:\n  debian: linux-image-rt-arm64\n  deploy: kexek\n${STEPS}`)[0]).toMatch(/^k\.yaml:4:11: kernel\.deploy: .*kexec/);
  });
});

describe('planKernels', () => {
  const twoProfiles = scenario(`name: push\nprofiles: [kvm-el2, xen-el1, el1]\nkernel: { debian: linux-image-rt-arm64 }\n${STEPS}`);
  const plain = scenario(`name: plain\nprofiles: [el1]\n${STEPS}`, '/lab/scenarios/plain.yaml');

  it('auto is kexec where the profile allows it and reboot under Xen; scenarios without a kernel push nothing', () => {
    const plans = planKernels(expandMatrix([twoProfiles, plain]), undefined, deployers());
    expect(Object.fromEntries([...plans].map(([id, plan]) => [id, plan.method]))).toEqual({ 'push@kvm-el2': 'kexec', 'push@xen-el1': 'reboot', 'push@el1': 'kexec' });
  });

  it('--kernel replaces every scenario\'s own kernel, including scenarios that had none', () => {
    const override: KernelRequest = { spec: { kind: 'build-dir', dir: '/src/linux' }, deploy: 'auto', origin: '--kernel /src/linux' };
    const plans = planKernels(expandMatrix([twoProfiles, plain]), override, deployers());
    expect([...plans.keys()]).toEqual(['push@kvm-el2', 'push@xen-el1', 'push@el1', 'plain@el1']);
    expect(new Set([...plans.values()].map((plan) => plan.request.origin))).toEqual(new Set(['--kernel /src/linux']));
  });

  it('refuses kexec on xen-el1 before anything boots, naming the origin, the run and the reason', async () => {
    const override: KernelRequest = { spec: { kind: 'debian-package', name: 'linux-image-rt-arm64' }, deploy: 'kexec', origin: '--kernel linux-image-rt-arm64' };
    const error = await rejectionOf(Promise.resolve().then(() => planKernels(expandMatrix([twoProfiles]), override, deployers())), InputError);
    expect(error.code).toBe('E_DEPLOY_REFUSED');
    expect(error.message).toContain('--kernel linux-image-rt-arm64: push@xen-el1: deploy kexec: kexec is impossible under xen-el1');
    expect(error.message).not.toContain('push@kvm-el2');
  });

  it('lists every refused run at once', async () => {
    const error = await rejectionOf(Promise.resolve().then(() => planKernels(expandMatrix([twoProfiles]), undefined, deployers('no bootloader on this machine'))), InputError);
    expect(error.message.split('\n')).toEqual(['a deploy cannot work:', '/lab/scenarios/push.yaml:3:9: push@xen-el1: deploy reboot: no bootloader on this machine']);
  });
});

describe('deploy: direct in the plan', () => {
  const everywhere = scenario(`name: push\nprofiles: [kvm-el2, xen-el1, el1]\nkernel: { debian: linux-image-rt-arm64, deploy: direct }\n${STEPS}`);
  const images = { initramfsPath: '/cache/initramfs.cpio.gz' } as ImageSet;
  const board: BoardConfig = {
    file: '/lab/boards/rb5.yaml',
    name: 'rb5',
    description: undefined,
    host: '127.0.0.1',
    port: 22,
    user: 'root',
    privateKey: Buffer.alloc(0),
    keySource: 'key-env PILOT_BOARD_KEY',
    profile: PROFILES['kvm-el2'],
    powerOn: undefined,
    powerOff: undefined,
    console: undefined,
    commandDir: '/lab/boards',
    bootTimeoutMs: 60_000,
    powerTimeoutMs: 60_000,
    bootloader: 'u-boot',
    initramfs: undefined,
  };

  it('is a QEMU method on every profile, xen-el1 included, and auto never picks it', () => {
    const plans = planKernels(expandMatrix([everywhere]), undefined, createDeployers(images));
    expect(Object.fromEntries([...plans].map(([id, plan]) => [id, plan.method]))).toEqual({ 'push@kvm-el2': 'direct', 'push@xen-el1': 'direct', 'push@el1': 'direct' });
    expect(plans.get('push@el1')!.deployer.prepareBoot).toBeTypeOf('function');
    const auto = planKernels(expandMatrix([everywhere]), { spec: { kind: 'debian-package', name: 'linux-image-rt-arm64' }, deploy: 'auto', origin: '--kernel' }, createDeployers(images));
    expect(new Set([...auto.values()].map((plan) => plan.method))).toEqual(new Set(['kexec', 'reboot']));
  });

  it('is refused on a board before anything boots, naming the board and the reason, while the QEMU runs keep it', async () => {
    const onBoard = (run: { profile: string }) => (run.profile === 'kvm-el2' ? boardDeployers(board, images) : createDeployers(images));
    const error = await rejectionOf(Promise.resolve().then(() => planKernels(expandMatrix([everywhere]), undefined, onBoard)), InputError);
    expect(error.code).toBe('E_DEPLOY_REFUSED');
    expect(error.message.split('\n')).toEqual([
      'a deploy cannot work:',
      expect.stringMatching(/^\/lab\/scenarios\/push\.yaml:3:9: push@kvm-el2: deploy direct: a direct deploy boots the kernel under test as the machine's first kernel, which only a machine pilot starts \(QEMU\) can do; board rb5 \(board file \/lab\/boards\/rb5\.yaml\) boots its own/),
    ]);
    // A board started by hand on a kernel is refused too, without power or SSH being touched.
    const started = new BoardMachine(board).start({ artifactsDir: '/nonexistent', signal: new AbortController().signal, deadline: Date.now() + 1000, kernel: { imagePath: '/k/Image', initramfsPath: '/k/initrd' } });
    expect(await rejectionOf(started, InfraError)).toMatchObject({ code: 'E_DEPLOY_UNSUPPORTED' });
  });

  it('--deploy direct is accepted by the flag and the scenario key; a typo names the methods', () => {
    expect(deployFlag('direct')).toBe('direct');
    expect(() => deployFlag('directly')).toThrow(/--deploy: expected one of auto, kexec, reboot, direct, got 'directly'/);
  });
});

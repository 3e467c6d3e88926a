// The kernel plan: the scenario's kernel: key as loaded, --kernel overriding it, auto choosing kexec or reboot, and
// impossible deploys refused together, each naming where it was asked for.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../harness/core/errors.ts';
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

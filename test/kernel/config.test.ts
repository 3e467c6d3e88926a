// The config check asks a kernel only for what the runs at hand need: xen-el1 wants CONFIG_XEN, kexec CONFIG_KEXEC, reboot the FAT stack.
import { describe, expect, it } from 'vitest';
import { configFor, missingConfigOptions, parseKernelConfig, KERNEL_CONFIG_REQUIREMENTS } from '../../harness/kernel/config.ts';
import { KernelResolver, kernelUses, type RunKernel } from '../../harness/runner/kernel-plan.ts';
import type { KernelUnderTest } from '../../harness/kernel/input.ts';

/** A .config with every simulation option but `without`. */
function configWithout(...without: string[]): Map<string, string> {
  return parseKernelConfig(KERNEL_CONFIG_REQUIREMENTS.filter((r) => !without.includes(r.option)).map((r) => `${r.option}=${r.accepted[0]}`).join('\n'));
}

describe('configFor', () => {
  it('asks a kvm-el2 kexec run for neither CONFIG_XEN nor the reboot deploy\'s FAT stack', () => {
    const options = configFor({ profiles: ['kvm-el2'], deploys: ['kexec'] }).map((r) => r.option);
    expect(options).toContain('CONFIG_KEXEC');
    expect(options).toContain('CONFIG_ARM_SMMU_V3');
    expect(options).not.toContain('CONFIG_XEN');
    expect(options).not.toContain('CONFIG_VFAT_FS');
    expect(missingConfigOptions(configWithout('CONFIG_XEN', 'CONFIG_VFAT_FS'), configFor({ profiles: ['kvm-el2'], deploys: ['kexec'] }))).toEqual([]);
  });

  it('still names every missing option the runs do need, with its reason', () => {
    const missing = missingConfigOptions(configWithout('CONFIG_XEN', 'CONFIG_KEXEC', 'CONFIG_VFAT_FS'), configFor({ profiles: ['xen-el1', 'el1'], deploys: ['reboot'] }));
    expect(missing.map((m) => m.option)).toEqual(['CONFIG_VFAT_FS', 'CONFIG_XEN']);
    expect(missing.find((m) => m.option === 'CONFIG_XEN')?.why).toMatch(/dom0/);
  });

  it('asks a soc: real run for the kernel\'s own Qualcomm drivers, and a simulated one for none of them', () => {
    const real = configFor({ profiles: ['kvm-el2'], deploys: ['kexec'], socs: ['real'] }).map((r) => r.option);
    expect(real).toEqual(expect.arrayContaining(['CONFIG_QCOM_SCM', 'CONFIG_QCOM_Q6V5_PAS', 'CONFIG_QCOM_SMEM', 'CONFIG_QCOM_SMP2P', 'CONFIG_HWSPINLOCK_QCOM', 'CONFIG_QRTR']));
    expect(configFor({ profiles: ['kvm-el2'], deploys: ['kexec'] }).map((r) => r.option)).not.toContain('CONFIG_QCOM_SCM');
    const missing = missingConfigOptions(configWithout('CONFIG_HWSPINLOCK_QCOM', 'CONFIG_QRTR'), configFor({ profiles: ['el1'], deploys: ['kexec'], socs: ['real'] }));
    expect(missing.map((m) => m.option)).toEqual(['CONFIG_HWSPINLOCK_QCOM', 'CONFIG_QRTR']);
    expect(missing[0]?.why).toMatch(/SMEM never probes/);
  });

  it('asks for every profile and deploy of the simulation when the use is unknown, and nothing of the real SoC', () => {
    expect(configFor(undefined)).toHaveLength(KERNEL_CONFIG_REQUIREMENTS.filter((r) => !r.socs).length);
    expect(configFor(undefined).map((r) => r.option)).toContain('CONFIG_XEN');
    expect(configFor(undefined).map((r) => r.option)).not.toContain('CONFIG_QCOM_SCM');
  });
});

describe('kernelUses', () => {
  it('unions the profiles and deploys of every run that pushes the same kernel', () => {
    const request = { spec: { kind: 'build-dir' as const, dir: '/src/linux' }, deploy: 'auto' as const, origin: '--kernel' };
    const other = { spec: { kind: 'debian-package' as const, name: 'linux-image-rt-arm64' }, deploy: 'auto' as const, origin: '--kernel' };
    const plan = (profile: RunKernel['profile'], method: RunKernel['method'], req: RunKernel['request'] = request, soc: RunKernel['soc'] = 'sim'): RunKernel => ({ request: req, method, profile, deployer: undefined as never, soc });
    const uses = kernelUses(new Map([['a@kvm-el2', plan('kvm-el2', 'kexec')], ['a@xen-el1', plan('xen-el1', 'reboot')], ['r@el1', plan('el1', 'kexec', request, 'real')], ['b@el1', plan('el1', 'kexec', other)]]));
    expect(uses.get(JSON.stringify(request.spec))).toEqual({ profiles: ['kvm-el2', 'xen-el1', 'el1'], deploys: ['kexec', 'reboot'], socs: ['sim', 'real'] });
    expect(uses.get(JSON.stringify(other.spec))).toEqual({ profiles: ['el1'], deploys: ['kexec'], socs: ['sim'] });
  });
});

describe('KernelResolver.resolveAll', () => {
  it('names each distinct kernel once, however many runs push it', async () => {
    class Resolved extends KernelResolver {
      override resolve() {
        return Promise.resolve({} as KernelUnderTest);
      }
    }
    const request = { spec: { kind: 'build-dir' as const, dir: '/src/linux' }, deploy: 'auto' as const, origin: '--kernel' };
    const other = { spec: { kind: 'debian-package' as const, name: 'linux-image-rt-arm64' }, deploy: 'auto' as const, origin: '--kernel' };
    const plan = (profile: RunKernel['profile'], req: RunKernel['request'] = request): RunKernel => ({ request: req, method: 'kexec', profile, deployer: undefined as never, soc: 'sim' });
    const named: string[] = [];
    const runs = await new Resolved().resolveAll(new Map([['a@kvm-el2', plan('kvm-el2')], ['a@el1', plan('el1')], ['b@el1', plan('el1')], ['c@el1', plan('el1', other)]]), (label) => named.push(label));
    expect(runs.size).toBe(4);
    expect(named).toHaveLength(2);
  });
});

// Deploy direct: the host assembles the initrd (the machine's base initramfs, then the kernel's modules archive) and the
// machine boots the kernel under test from its first second; what is left for the deploy is the proof.
import { InfraError } from '../core/errors.ts';
import type { KernelUnderTest } from '../kernel/input.ts';
import type { RunningMachine } from '../machine/machine.ts';
import type { Profile } from '../model/profile.ts';
import type { Deployer, DeployOptions, DeployResult, PreparedBoot } from './deploy.ts';
import { fileSha256 } from './file-sha256.ts';
import { assembleInitrdOnHost } from './host-initrd.ts';
import { proveKernelRunning } from './proof.ts';

export interface DirectDeployerConfig {
  /** The initramfs the machine would boot (ImageSet.initramfsPath, or the real SoC set's): userland, /init, firmware, key. */
  baseInitramfs: string;
  extraModules?: readonly string[];
  /** Set where pilot does not start the machine (a lab board boots its own kernel): the refusal, with its reason. */
  impossible?: string;
}

export class DirectDeployer implements Deployer {
  readonly method = 'direct' as const;

  constructor(private readonly config: DirectDeployerConfig) {}

  refusal(_profile: Profile): string | undefined {
    return this.config.impossible;
  }

  async prepareBoot(kernel: KernelUnderTest, options: Pick<DeployOptions, 'workDir' | 'signal'>): Promise<PreparedBoot> {
    const [initrd, imageSha256] = await Promise.all([
      assembleInitrdOnHost(kernel, { baseInitramfs: this.config.baseInitramfs, signal: options.signal, ...(this.config.extraModules ? { extraModules: this.config.extraModules } : {}) }),
      fileSha256(kernel.imagePath),
    ]);
    // The machine loads the file itself, so its hash is checked here as a push checks it on the target.
    if (imageSha256 !== kernel.imageSha256) {
      throw new InfraError('E_PUSH_CORRUPT', `${kernel.imagePath} has sha256 ${imageSha256}, not the ${kernel.imageSha256} it had when it was resolved`, {
        hint: 'the kernel file changed on the host since it was resolved; nothing was booted',
      });
    }
    return { kernelImage: kernel.imagePath, initrd };
  }

  async deploy(machine: RunningMachine, kernel: KernelUnderTest, options: DeployOptions): Promise<DeployResult> {
    const refused = this.refusal(machine.profile);
    if (refused) throw new InfraError('E_DEPLOY_UNSUPPORTED', refused);
    if (!options.booted) {
      throw new InfraError('E_DEPLOY_UNSUPPORTED', `a direct deploy of ${kernel.release} is the machine's own boot: start the machine on prepareBoot's files and pass them as booted`);
    }
    const { boot, bootMs } = options.booted;
    options.onPhase?.('proof');
    const started = performance.now();
    // The readiness line's boot_id: the guest answering over SSH is the boot whose console was watched from the start.
    const proof = await proveKernelRunning(machine.guest, kernel, { first: machine.bootId }, machine.profile, { signal: options.signal, deadline: options.deadline });
    const proofMs = performance.now() - started;
    const prepareMs = boot.initrd.assembleMs;
    return {
      method: 'direct',
      previousBootId: undefined,
      proof,
      pushes: [],
      initrd: boot.initrd,
      timings: { prepareMs, pushMs: 0, loadMs: 0, rebootMs: bootMs, proofMs, totalMs: prepareMs + bootMs + proofMs },
    };
  }
}

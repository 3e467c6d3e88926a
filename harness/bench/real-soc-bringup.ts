// What the real SoC costs: SSH-ready on the EL3 firmware's machine line (secure=on, -bios, loader devices) against
// today's line with the same 6.12 kernel and initramfs, and how long the kernel's own drivers take to bring ADSP and CDSP up.
import { InfraError } from '../core/errors.ts';
import type { ImageSet } from '../images/image-set.ts';
import { QemuMachine } from '../machine/qemu-machine.ts';
import type { Profile } from '../model/profile.ts';
import { sshReady, waitUntilUp } from './soc-bringup.ts';

export interface RealSocTiming {
  profile: string;
  /** Today's machine line (no secure world, QEMU's own PSCI) booting the real set's 6.12 kernel and initramfs. */
  sshReadyPlainMs: number;
  /** The EL3 firmware's machine line, the generated device tree, the host channel. */
  sshReadyFirmwareMs: number;
  /** From SSH ready until the kernel's own drivers report ADSP and CDSP running. */
  dspsUpAfterSshMs: number;
}

/** The DT variants a real run of this profile boots with in scenarios/real-bringup.yaml. */
const BRINGUP_VARIANTS: Readonly<Record<string, readonly string[]>> = { 'kvm-el2': ['el2', 'iommu-passthrough'] };
/** As real-bringup.yaml's `trustzone:` key: stock 6.12 makes no SHM bridge, so the EL2 platform's rule is relaxed. */
const BRINGUP_TRUST_ZONE = ['rule bridge-required off'];

export async function realSocBringUp(profile: Profile, images: ImageSet, signal: AbortSignal): Promise<RealSocTiming> {
  const real = images.realSoc;
  if (!real) throw new InfraError('E_REAL_SOC_IMAGES', 'the real SoC benchmark needs the image set built with realSoc: true');
  // Same kernel and initramfs on both lines, so the difference is the firmware's and the secure world's.
  const plain: ImageSet = { ...images, kernel: real.kernel, initramfsPath: real.initramfsPath };
  const [sshReadyPlainMs] = await sshReady(new QemuMachine({ profile, images: plain, soc: false }), signal);
  const machine = new QemuMachine({ profile, images, socKind: 'real', overlays: BRINGUP_VARIANTS[profile.name] ?? [], trustZoneCommands: BRINGUP_TRUST_ZONE });
  const [sshReadyFirmwareMs, dspsUpAfterSshMs] = await sshReady(machine, signal, async (guest) => {
    const started = performance.now();
    await waitUntilUp(guest, signal, { iris: false });
    return performance.now() - started;
  });
  return { profile: profile.name, sshReadyPlainMs, sshReadyFirmwareMs, dspsUpAfterSshMs };
}

export function formatRealSocTable(rows: readonly RealSocTiming[], release: string): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `real SoC (${release}, the kernel's own drivers against the EL3 firmware)`,
    'profile    SSH ready, today\'s line   with EL3 firmware   ratio   ADSP+CDSP up after SSH   from QEMU start',
  ];
  for (const row of rows) {
    lines.push(
      `${row.profile.padEnd(10)} ${seconds(row.sshReadyPlainMs).padStart(23)} ${seconds(row.sshReadyFirmwareMs).padStart(19)} ${(row.sshReadyFirmwareMs / row.sshReadyPlainMs).toFixed(2).padStart(6)}x ${seconds(row.dspsUpAfterSshMs).padStart(24)} ${seconds(row.sshReadyFirmwareMs + row.dspsUpAfterSshMs).padStart(17)}`,
    );
  }
  return lines.join('\n');
}

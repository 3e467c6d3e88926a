// Measures, for one profile, raw QEMU start → readiness line on the console, and pilot's start → SSH ready, in the same process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUEST_READY_PREFIX } from '../images/guest-contract.ts';
import type { ImageSet } from '../images/image-set.ts';
import { freeLoopbackPort } from '../machine/free-port.ts';
import type { Profile } from '../model/profile.ts';
import { qemuCommand } from '../machine/qemu-command.ts';
import { QemuMachine } from '../machine/qemu-machine.ts';
import { QemuProcess } from '../machine/qemu-process.ts';
import { SerialConsole } from '../machine/serial-console.ts';

export interface BootTiming {
  profile: string;
  rawConsoleReadyMs: number;
  pilotSshReadyMs: number;
}

const BOOT_LIMIT_MS = 180_000;

export async function rawConsoleReady(profile: Profile, images: ImageSet, signal: AbortSignal): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'pilot-bench-'));
  const serial = new SerialConsole(join(dir, 'serial.log'));
  const command = qemuCommand({
    profile,
    kernelImage: images.kernel.imagePath,
    initramfs: images.initramfsPath,
    xen: images.xenPath,
    sshPort: await freeLoopbackPort(),
  });
  const startedAt = performance.now();
  const qemu = QemuProcess.start(command, serial);
  try {
    await serial.waitForLine(new RegExp(GUEST_READY_PREFIX), 'the readiness line', {
      signal,
      deadline: Date.now() + BOOT_LIMIT_MS,
      dies: [qemu.died],
    });
    return performance.now() - startedAt;
  } finally {
    await qemu.stop();
    await serial.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function pilotSshReady(profile: Profile, images: ImageSet, signal: AbortSignal): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'pilot-bench-'));
  const machine = new QemuMachine({ profile, images, soc: false });
  const startedAt = performance.now();
  const running = await machine.start({ artifactsDir: dir, signal, deadline: Date.now() + BOOT_LIMIT_MS });
  try {
    // SSH ready means a command has run, not just that the handshake finished.
    await running.guest.exec('true', { timeoutMs: 10_000 });
    return performance.now() - startedAt;
  } finally {
    await running.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

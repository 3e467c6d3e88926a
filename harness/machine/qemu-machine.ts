// The QEMU backend: boots a profile from an image set, waits for the guest's readiness line, then connects over SSH.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfraError, InputError } from '../core/errors.ts';
import { formatMs, race, type WaitLimits } from '../core/wait.ts';
import { connectSsh } from '../guest/ssh-connect.ts';
import { SshGuest } from '../guest/ssh-guest.ts';
import type { ImageSet } from '../images/image-set.ts';
import { GUEST_READY_PREFIX, parseGuestErrorLine } from '../images/guest-contract.ts';
import { buildMachineDtb } from '../images/devicetree/build-dtb.ts';
import { SIM_SOC_DEVICES, SIM_SOC_MIN_MEMORY_MB } from '../images/devicetree/soc.ts';
import { shellLine } from '../host/shell-quote.ts';
import { buildBootDisk } from './boot-disk.ts';
import type { Bootloader } from './bootloader.ts';
import { ResetGuard, watchBootloaderBoots, type BootWatch } from './boot-watch.ts';
import type { KeptMachine, MachineBackend, MachineStartOptions, RebootedGuest, RunningMachine } from './machine.ts';
import { PhaseClock } from './phase-clock.ts';
import { runningMachine } from './running-machine.ts';
import type { Profile } from '../model/profile.ts';
import { freeLoopbackPort } from './free-port.ts';
import { GUEST_HOST_ADDRESS, qemuCommand, type QemuBootSpec } from './qemu-command.ts';
import { QemuProcess } from './qemu-process.ts';
import { SerialConsole } from './serial-console.ts';
import { watchHandovers, type HandoverWatch } from './handover-watch.ts';
import { JIT_FLUSH_LOG } from '../model/artifact-names.ts';
import type { SocKind } from '../model/soc-kind.ts';
import { SECURE_BOOT_UBOOT_REFUSAL, prepareRealSocBoot } from './secure-boot.ts';
import { sendBootCommands, type TrustZoneHost } from './trust-zone-host.ts';

export interface QemuMachineConfig {
  profile: Profile;
  images: ImageSet;
  /** Boot with the simulated SoC: its DMA masters on the PCI bus and its nodes in the device tree. Default: true. */
  soc?: boolean;
  /** Device-tree overlays applied after the SoC's base fragment, e.g. ['el2']. */
  overlays?: readonly string[];
  devices?: string[];
  kernelArgs?: string[];
  memoryMb?: number;
  cpus?: number;
  /** A boot console silent for this long is declared hung. */
  silenceMs?: number;
  /** 'u-boot': boot through Debian's U-Boot from a per-run virtio disk, which a reboot deploy rewrites. Default: QEMU loads the kernel. */
  bootloader?: Bootloader;
  /** 'real': the kernel's own Qualcomm drivers on Debian 6.12 against the EL3 firmware (secure-boot.ts); default 'sim'. */
  socKind?: SocKind;
  /** soc: real: host-channel commands the EL3 firmware must have taken before Linux boots (the scenario's `trustzone:`). */
  trustZoneCommands?: readonly string[];
  /** How a kernel under test will be started on this machine, if one is; soc: real refuses what it cannot do, before booting. */
  deployMethod?: 'kexec' | 'reboot' | 'direct' | undefined;
  /** `run --gdb`: a gdbstub on a free loopback port, announced through the start options' onGdbStub. */
  gdb?: boolean;
}

// A port taken between the check and QEMU's bind: the SSH forward's, or the gdbstub's.
const PORT_CLASH = /Could not set up host forwarding rule|-gdb tcp:.*(Failed to bind|Address already in use)/;
const READY_LINE = new RegExp(`${GUEST_READY_PREFIX} boot_id=([0-9a-f-]+) release=([A-Za-z0-9._+~-]+)`);

export class QemuMachine implements MachineBackend {
  readonly profile: Profile;
  readonly description: string;

  constructor(private readonly config: QemuMachineConfig) {
    this.profile = config.profile;
    this.description = `qemu ${config.profile.name}`;
  }

  async start(options: MachineStartOptions): Promise<RunningMachine> {
    if (this.config.socKind === 'real' && (this.config.bootloader || this.config.deployMethod === 'reboot')) throw new InputError('E_REAL_SOC_DEPLOY', `cannot deploy by reboot on soc: real: ${SECURE_BOOT_UBOOT_REFUSAL}`);
    const clock = new PhaseClock(options.onPhase);
    const serial = new SerialConsole(join(options.artifactsDir, 'serial.log'));
    const unsubscribeConsole = options.onConsole ? serial.onChunk(options.onConsole) : () => {};
    let qemu: QemuProcess | undefined;
    let guest: SshGuest | undefined;
    let resets: ResetGuard | undefined;
    let trustZone: TrustZoneHost | undefined;
    let handovers: HandoverWatch | undefined;
    // pilot's own gdbstub, for flushing QEMU's translations at a kexec or restart (handover-watch.ts); `--gdb` takes the stub instead.
    const stubDir = this.config.gdb ? undefined : await mkdtemp(join(tmpdir(), 'pilot-qemu-'));
    const releaseMachine = async () => {
      await qemu?.stop();
      await handovers?.dispose();
      await serial.close();
      await trustZone?.close();
      if (stubDir) await rm(stubDir, { recursive: true, force: true });
    };
    const stop = async () => {
      resets?.pause();
      unsubscribeConsole();
      await guest?.close().catch(() => {});
      await releaseMachine();
    };
    try {
      // Armed before QEMU starts, so the first U-Boot banner counts as this boot's own.
      const firstBoot = this.watchBoots(serial, () => qemu);
      const stubSocket = stubDir ? join(stubDir, 'gdb.sock') : undefined;
      const { process: started, port, gdbPort, trustZone: channel } = await this.spawn(serial, options, clock, stubSocket).catch((error: unknown) => {
        firstBoot?.dispose();
        throw error;
      });
      qemu = started;
      trustZone = channel;
      if (stubSocket) handovers = watchHandovers(serial, { endpoint: { path: stubSocket }, logPath: join(options.artifactsDir, JIT_FLUSH_LOG), died: started.died });
      const limits: WaitLimits = { signal: options.signal, deadline: options.deadline, dies: [qemu.died] };
      if (trustZone && this.config.trustZoneCommands?.length) await sendBootCommands(trustZone, this.config.trustZoneCommands, { ...limits, signal: options.signal, deadline: options.deadline });
      clock.begin('kernel-boot');
      const ready = await this.waitForReadiness(serial, withBootWatch(limits, firstBoot)).finally(() => firstBoot?.dispose());

      clock.begin('ssh-ready');
      const privateKey = await readFile(this.config.images.sshKey.privateKeyPath);
      const running = qemu;
      // On U-Boot a panic resets the machine instead of exiting QEMU: the guard turns that into the machine's death.
      resets = this.config.bootloader ? new ResetGuard(serial, () => void running.stop()) : undefined;
      const died = resets ? Promise.race([running.died, resets.died]) : running.died;
      died.catch(() => {});
      const connect = async (dmesgLogPath: string, connectLimits: WaitLimits, deadline: number) => {
        const client = await connectSsh({ host: '127.0.0.1', port, username: 'root', privateKey }, connectLimits);
        return SshGuest.open(client, { dmesgLogPath, machineDied: died, signal: options.signal, deadline });
      };
      resets?.arm();
      guest = await connect(join(options.artifactsDir, 'dmesg.log'), limits, options.deadline);
      clock.end();
      let current = { release: ready.release, bootId: ready.bootId };
      let boots = 1;
      const awaitReboot = async (previousBootId: string, rebootLimits: WaitLimits): Promise<RebootedGuest> => {
        const startedAt = performance.now();
        const waitLimits: WaitLimits = { ...rebootLimits, dies: [...(rebootLimits.dies ?? []), running.died] };
        resets?.pause();
        const boot = this.watchBoots(serial, () => running);
        const next = await this.waitForReadiness(serial, withBootWatch(waitLimits, boot), previousBootId).finally(() => boot?.dispose());
        resets?.arm();
        const previous = guest;
        boots += 1;
        // The old connection went down with its kernel; closing it marks the drop as expected.
        await previous?.close().catch(() => {});
        guest = undefined;
        guest = await connect(join(options.artifactsDir, `dmesg-boot${boots}.log`), waitLimits, rebootLimits.deadline ?? options.deadline);
        current = next;
        return { ...next, elapsedMs: performance.now() - startedAt };
      };
      const privateKeyPath = this.config.images.sshKey.privateKeyPath;
      const keep = async (): Promise<KeptMachine | undefined> => {
        if (!running.running) return undefined;
        // The run is over: no reset may stop the machine, no console chunk goes to its reporter, pilot's session closes.
        resets?.pause();
        unsubscribeConsole();
        await guest?.close().catch(() => {});
        guest = undefined;
        // The serial log keeps growing while a person works in the machine; draining it also keeps QEMU from blocking.
        const end = releaseMachine;
        return { pid: running.pid, sshPort: port, privateKeyPath, gdbPort, ended: running.exited.then(() => undefined), stop: end };
      };
      return runningMachine({
        profile: this.profile,
        keep,
        bootloader: this.config.bootloader,
        ...(trustZone ? { trustZone } : {}),
        phases: clock.phases,
        hostAddress: GUEST_HOST_ADDRESS,
        died,
        label: 'the guest',
        currentGuest: () => guest,
        currentBoot: () => current,
        awaitReboot,
        serial,
        stop,
      });
    } catch (error) {
      clock.end();
      await stop();
      throw error;
    }
  }

  private async spawn(serial: SerialConsole, options: MachineStartOptions, clock: PhaseClock, stubSocket?: string): Promise<{ process: QemuProcess; port: number; gdbPort?: number; trustZone?: TrustZoneHost }> {
    const soc = this.config.soc ?? true;
    let spec: Omit<QemuBootSpec, 'sshPort'> = {
      profile: this.profile,
      kernelImage: options.kernel?.imagePath ?? this.config.images.kernel.imagePath,
      initramfs: options.kernel?.initramfsPath ?? this.config.images.initramfsPath,
      xen: this.config.images.xenPath,
      memoryMb: Math.max(this.config.memoryMb ?? SIM_SOC_MIN_MEMORY_MB, soc ? SIM_SOC_MIN_MEMORY_MB : 0),
      cpus: this.config.cpus,
      kernelArgs: this.config.kernelArgs,
      devices: [...(soc ? SIM_SOC_DEVICES : []), ...(this.config.devices ?? [])],
    };
    if (this.config.bootloader) {
      clock.begin('boot-disk');
      // Before the device tree: QEMU dumps its tree for the same flags, and those name the disk and the flash.
      const disk = await buildBootDisk({
        dir: options.artifactsDir,
        profile: this.profile,
        kernelImage: spec.kernelImage,
        initramfs: spec.initramfs,
        xen: spec.xen,
        kernelCommandLine: qemuCommand({ ...spec, sshPort: 0 }).kernelCommandLine,
        signal: options.signal,
      });
      spec.bootloader = { disk: disk.disk, envFlash: disk.envFlash };
    }
    let dtb: string | undefined;
    let trustZone: TrustZoneHost | undefined;
    if (this.config.socKind === 'real') {
      clock.begin('device-tree');
      const real = await prepareRealSocBoot({ images: this.config.images, profile: this.profile, variants: this.config.overlays ?? [], artifactsDir: options.artifactsDir, spec, signal: options.signal, ...(options.kernel ? { kernel: options.kernel } : {}) });
      spec = real.spec;
      trustZone = real.trustZone;
    } else if (soc) {
      clock.begin('device-tree');
      // The tree is QEMU's own for exactly these flags (the port does not shape it), plus the SoC and the scenario's overlays.
      const built = await buildMachineDtb({
        qemuArgs: qemuCommand({ ...spec, sshPort: 0 }).args,
        overlays: this.config.overlays ?? [],
        outPath: join(options.artifactsDir, 'machine.dtb'),
        signal: options.signal,
      });
      dtb = built.path;
      await writeFile(join(options.artifactsDir, 'machine-dtb.txt'), `applied: ${built.applied.join(', ')}\n`);
    }
    clock.begin('qemu-start');
    // The port is free when asked for but another process may take it first; QEMU then refuses to start, and a new port is tried.
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort();
      const gdbPort = this.config.gdb ? await freeLoopbackPort() : undefined;
      const command = qemuCommand({ ...spec, dtb, sshPort: port, gdbPort });
      // The stub's socket lives in a folder removed with the machine, so the script a person reruns goes without it.
      const stubArgs = stubSocket ? ['-gdb', `unix:${stubSocket},server=on,wait=off`] : [];
      const stubNote = stubSocket ? `# pilot also passed ${stubArgs.join(' ')}: its own gdbstub, to flush QEMU's translations at a kexec or restart\n` : '';
      await writeFile(join(options.artifactsDir, 'qemu-cmdline.sh'), `#!/bin/sh\n${stubNote}${shellLine([command.file, ...command.args])}\n`, { mode: 0o755 });
      trustZone?.markStart();
      const process = QemuProcess.start({ ...command, args: [...command.args, ...stubArgs] }, serial);
      let outcome: 'running' | 'exited';
      try {
        const first = Promise.race([waitForFirstByte(serial).then(() => 'running' as const), process.exited.then(() => 'exited' as const)]);
        outcome = await race(first, 'QEMU to start', { signal: options.signal, deadline: options.deadline });
      } catch (error) {
        await process.stop();
        await trustZone?.close();
        throw error;
      }
      if (outcome === 'running') {
        // QEMU binds its gdbstub before the guest prints a byte, so it already listens.
        if (gdbPort !== undefined) options.onGdbStub?.(gdbPort);
        return { process, port, ...(gdbPort !== undefined ? { gdbPort } : {}), ...(trustZone ? { trustZone } : {}) };
      }
      if (attempt < 3 && PORT_CLASH.test(process.stderr())) continue;
      await process.died.catch(async (error: unknown) => {
        await trustZone?.close();
        throw error;
      }); // rejects with the exit code, stderr and serial tail
    }
  }

  /** On a U-Boot machine, fails the wait on a panic, a boot loop or U-Boot's own failure, and stops QEMU at once: it would loop. */
  private watchBoots(serial: SerialConsole, qemu: () => QemuProcess | undefined): BootWatch | undefined {
    if (!this.config.bootloader) return undefined;
    const watch = watchBootloaderBoots(serial);
    watch.failed.catch(() => void qemu()?.stop());
    return watch;
  }

  /** The readiness line of a boot; with previousBootId, only one of a different boot counts (a kexec'd or rebooted guest). */
  private async waitForReadiness(serial: SerialConsole, limits: WaitLimits, previousBootId?: string): Promise<{ bootId: string; release: string }> {
    const pattern = previousBootId === undefined ? READY_LINE : readyLineOtherThan(previousBootId);
    const silenceMs = this.config.silenceMs ?? 60_000;
    const watchdog = consoleWatchdog(serial, silenceMs);
    const initFailed = guestInitFailure(serial);
    try {
      const line = await serial.waitForLine(
        pattern,
        previousBootId === undefined ? 'the guest readiness line' : `a readiness line with a boot_id other than ${previousBootId}`,
        { ...limits, dies: [...(limits.dies ?? []), watchdog.silent, initFailed.reported] },
        () =>
          new InfraError('E_BOOT_TIMEOUT', `the guest did not print its readiness line ('${GUEST_READY_PREFIX} …') in time`, {
            evidence: ['--- serial console (last lines) ---', ...serial.tail(20)],
          }),
      );
      const match = pattern.exec(line)!;
      return { bootId: match[1]!, release: match[2]! };
    } finally {
      watchdog.dispose();
      initFailed.dispose();
    }
  }
}

function withBootWatch(limits: WaitLimits, watch: BootWatch | undefined): WaitLimits {
  return watch ? { ...limits, dies: [...(limits.dies ?? []), watch.failed] } : limits;
}

/** Rejects at the first `pilot-guest-error:` line: the guest is not the one the image promised, so nothing it does later can be trusted. */
function guestInitFailure(serial: SerialConsole): { reported: Promise<never>; dispose(): void } {
  let unsubscribe: () => void = () => {};
  const reported = new Promise<never>((_, reject) => {
    unsubscribe = serial.onLine((line) => {
      const problem = parseGuestErrorLine(line);
      if (problem === undefined) return;
      reject(
        new InfraError('E_GUEST_INIT', `the guest's /init failed: ${problem}`, {
          evidence: ['--- serial console (last lines) ---', ...serial.tail(20)],
        }),
      );
    });
  });
  reported.catch(() => {});
  return { reported, dispose: () => unsubscribe() };
}

function readyLineOtherThan(bootId: string): RegExp {
  const escaped = bootId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${GUEST_READY_PREFIX} boot_id=(?!${escaped}\\b)([0-9a-f-]+) release=([A-Za-z0-9._+~-]+)`);
}

function waitForFirstByte(serial: SerialConsole): Promise<void> {
  if (serial.bytes > 0) return Promise.resolve();
  return new Promise((resolve) => {
    const unsubscribe = serial.onChunk(() => {
      unsubscribe();
      resolve();
    });
  });
}

/** Rejects when the console has printed nothing for silenceMs: a hung boot ends at once, with the reason. */
function consoleWatchdog(serial: SerialConsole, silenceMs: number): { silent: Promise<never>; dispose(): void } {
  let timer: NodeJS.Timeout | undefined;
  // Silence before the wait began does not count: a deploy's push keeps the console quiet for as long as it takes.
  const armedAt = Date.now();
  const silent = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const quietFor = Date.now() - Math.max(serial.lastOutputAt, armedAt);
      if (quietFor >= silenceMs) {
        reject(
          new InfraError('E_CONSOLE_SILENT', `the boot console has been silent for ${formatMs(quietFor)}`, {
            evidence: ['--- serial console (last lines) ---', ...serial.tail(20)],
          }),
        );
      }
    }, 1000);
  });
  silent.catch(() => {});
  return { silent, dispose: () => clearInterval(timer) };
}

// A machine backend brings a target from off to "SSH ready" and back to off; QEMU is one backend, a lab board another.
import type { WaitLimits } from '../core/wait.ts';
import type { Guest } from '../guest/guest.ts';
import type { PhaseTiming } from '../model/results.ts';
import type { Bootloader } from './bootloader.ts';
import type { Profile } from '../model/profile.ts';
import type { TrustZoneChannel } from '../model/trust-zone.ts';

export interface MachineStartOptions {
  artifactsDir: string;
  signal: AbortSignal;
  /** Absolute deadline (Date.now() ms) for reaching SSH-ready. */
  deadline: number;
  onPhase?: (phase: string) => void;
  onConsole?: (chunk: string) => void;
  /** Told the gdbstub's port as soon as QEMU listens on it (a backend started with one). */
  onGdbStub?: (port: number) => void;
  /** Boot this kernel and initrd instead of the image set's (a direct deploy); only a machine pilot starts can. */
  kernel?: BootKernel | undefined;
}

/** A machine left running after its run (`run --keep-failed`), owned by whoever kept it until it is stopped. */
export interface KeptMachine {
  pid: number;
  /** The loopback port forwarded to the guest's SSH server. */
  sshPort: number;
  /** The private key the guest authorizes. */
  privateKeyPath: string;
  gdbPort?: number | undefined;
  /** Resolves when the machine has gone, whoever ended it (pilot, or the guest powering off). */
  readonly ended: Promise<void>;
  /** Ends the machine; safe to call more than once. */
  stop(): Promise<void>;
}

/** A kernel under test's files for the machine's first boot; the kernel command line stays the profile's. */
export interface BootKernel {
  imagePath: string;
  initramfsPath: string;
}

/** A new boot of the same machine, as its readiness line reported it. */
export interface RebootedGuest {
  bootId: string;
  release: string;
  /** From the call to the new guest's SSH connection being open. */
  elapsedMs: number;
}

export interface RunningMachine {
  readonly profile: Profile;
  /** The guest of the current boot: replaced by awaitReboot, so read it after a reboot rather than keeping it. */
  readonly guest: Guest;
  /** Rejects with the reason when the target dies without being asked to. */
  readonly died: Promise<never>;
  /** Set when the kernel is started by a bootloader that reads it from a disk the guest can write (a reboot deploy needs it). */
  readonly bootloader?: Bootloader | undefined;
  /** With soc: real, the EL3 firmware's host channel: its log lines and fault-injection commands. */
  readonly trustZone?: TrustZoneChannel | undefined;
  /** Timings of the phases that brought it up. */
  readonly phases: PhaseTiming[];
  /** Where the guest reaches the host's loopback (QEMU's user network); absent on a board. Pushes then go by HTTP. */
  readonly hostAddress?: string | undefined;
  /** `uname -r` and boot_id as the guest reported them when it became ready. */
  readonly release: string | undefined;
  readonly bootId: string | undefined;
  /**
   * Waits for a readiness line whose boot_id differs from previousBootId (a kexec or a reboot the guest was asked for),
   * then connects to the new boot and swaps `guest`, `release` and `bootId`. Call it before triggering the reboot, so
   * no line is missed; abort its signal to give up.
   */
  awaitReboot(previousBootId: string, limits: WaitLimits): Promise<RebootedGuest>;
  /** The last lines of the serial console, for error evidence. */
  consoleTail(lines?: number): string[];
  /** Stops the target; safe to call more than once and on every exit path. */
  stop(): Promise<void>;
  /**
   * Leaves the target running for a person to look into: pilot's own SSH session closes, the serial log goes on.
   * Undefined when the target has already gone; absent on backends that cannot keep one (a lab board).
   * Afterwards only the KeptMachine's stop() ends it.
   */
  keep?(): Promise<KeptMachine | undefined>;
}

export interface MachineBackend {
  /** e.g. "qemu kvm-el2". */
  readonly description: string;
  readonly profile: Profile;
  start(options: MachineStartOptions): Promise<RunningMachine>;
}

// Builds the RunningMachine both backends hand out, so QEMU and a board expose a target the same way.
import { InfraError } from '../core/errors.ts';
import type { WaitLimits } from '../core/wait.ts';
import type { SshGuest } from '../guest/ssh-guest.ts';
import type { PhaseTiming } from '../model/results.ts';
import type { Profile } from '../model/profile.ts';
import type { TrustZoneChannel } from '../model/trust-zone.ts';
import type { Bootloader } from './bootloader.ts';
import type { KeptMachine, RebootedGuest, RunningMachine } from './machine.ts';
import type { SerialConsole } from './serial-console.ts';

export interface RunningMachineParts {
  profile: Profile;
  bootloader: Bootloader | undefined;
  /** The EL3 firmware's host channel, on a machine booted with `soc: real`. */
  trustZone?: TrustZoneChannel | undefined;
  phases: PhaseTiming[];
  /** QEMU's user network: the guest's address for the host's loopback. */
  hostAddress?: string | undefined;
  died: Promise<never>;
  /** The target as E_GUEST_REBOOTING names it, e.g. "the guest" or "board x (root@host:22)". */
  label: string;
  /** The guest of the current boot; undefined between a reboot and the connection to the new boot. */
  currentGuest(): SshGuest | undefined;
  /** `uname -r` and boot_id of the current boot, as its readiness line or the guest reported them. */
  currentBoot(): { release: string; bootId: string } | undefined;
  awaitReboot(previousBootId: string, limits: WaitLimits): Promise<RebootedGuest>;
  serial: SerialConsole;
  stop(): Promise<void>;
  /** Leaves the target running for a person (QEMU only). */
  keep?: () => Promise<KeptMachine | undefined>;
}

export function runningMachine(parts: RunningMachineParts): RunningMachine {
  return {
    profile: parts.profile,
    get guest(): SshGuest {
      const guest = parts.currentGuest();
      if (!guest) throw new InfraError('E_GUEST_REBOOTING', `${parts.label} is rebooting: no SSH connection to its new boot yet`);
      return guest;
    },
    died: parts.died,
    bootloader: parts.bootloader,
    ...(parts.trustZone ? { trustZone: parts.trustZone } : {}),
    phases: parts.phases,
    ...(parts.hostAddress ? { hostAddress: parts.hostAddress } : {}),
    // Read live: a reboot replaces the guest and the boot under the same machine.
    get release() {
      return parts.currentBoot()?.release;
    },
    get bootId() {
      return parts.currentBoot()?.bootId;
    },
    awaitReboot: (previousBootId, limits) => parts.awaitReboot(previousBootId, limits),
    consoleTail: (lines) => parts.serial.tail(lines),
    stop: () => parts.stop(),
    ...(parts.keep ? { keep: parts.keep } : {}),
  };
}

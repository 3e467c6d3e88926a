// A scripted SoC behind a FakeGuest: remote processors that follow the 6.1 remoteproc core's rules (EBUSY, EINVAL,
// crash handling and recovery, its log lines) and Iris video nodes, answering the shell snippets of harness/steps/rproc-sysfs.ts
// the way busybox sh on the target would.
import { SNIPPET_MARK } from '../../harness/guest/rproc-sysfs.ts';
import type { FakeGuest, ScriptedAnswer } from './fake-guest.ts';

/** glibc strerror() text, written out here so tests of the errno mapping do not read the table they test. */
const STRERROR: Record<string, string> = {
  EINVAL: 'Invalid argument',
  EBUSY: 'Device or resource busy',
  ETIMEDOUT: 'Connection timed out',
  ENOENT: 'No such file or directory',
  ETIME: 'Timer expired',
  EPERM: 'Operation not permitted',
};
const CRASH_TYPE_NAMES = ['mmufault', 'watchdog', 'fatal error'];
const ERRNO_VALUES: Record<string, number> = { ENOENT: 2, EINVAL: 22, ETIMEDOUT: 110, ETIME: 62 };

export type BootBehaviour =
  /** The firmware boots: running. */
  | { kind: 'up' }
  /** The DSP never answers (e.g. the SMMU blocks its DMA): `faults` fault dumps, `everyMs` apart, then `start timed out` after `afterMs`. */
  | { kind: 'timeout'; afterMs: number; faults?: number; everyMs?: number }
  /** request_firmware fails: the core's write returns ENOENT. */
  | { kind: 'no-firmware' };

export interface FakeProcessor {
  device: string;
  name: string;
  state: string;
  firmware: string;
  recovery: 'enabled' | 'disabled';
  crashCount: number;
  /** rproc->power: how many starts the running processor has taken; stop only stops it at the last one. */
  power: number;
  boot: BootBehaviour;
  /** The platform device its driver prints under, e.g. `qcom-pas-sim 0000:00:10.0`. */
  driverPrefix: string;
}

export type IrisBehaviour = { kind: 'boots' } | { kind: 'auth-fails'; error: number } | { kind: 'boot-times-out' } | { kind: 'fails-silently'; errno: string };

export interface FakeVideoNode {
  device: string;
  name: string;
  behaviour: IrisBehaviour;
  booted: boolean;
  /** When false, sysfs lists the node but /dev has no file for it. */
  devNode: boolean;
}

export class FakeSoc {
  readonly processors: FakeProcessor[] = [];
  readonly videos: FakeVideoNode[] = [];
  /** How long the core's crash handler (a workqueue) and the recovery take. */
  crashHandlingMs = 0;
  recoveryMs = 0;
  debugfsMounted = true;
  /** Every write the target received: [path, value]. */
  readonly writes: Array<[string, string]> = [];
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(readonly guest: FakeGuest) {
    guest.onExec((command) => command.startsWith(SNIPPET_MARK.listRemoteprocs), () => ({ stdout: this.#listRemoteprocs() }));
    guest.onExec((command) => command.startsWith(SNIPPET_MARK.listVideoNodes), () => ({ stdout: this.#listVideos() }));
    guest.onExec((command) => command.startsWith(SNIPPET_MARK.write), (command) => this.#write(argument(command, 'p'), argument(command, 'v')));
    guest.onExec((command) => command.startsWith(SNIPPET_MARK.open), (command) => this.#open(argument(command, 'p')));
  }

  addProcessor(fields: Partial<FakeProcessor> & { device: string; name: string }): FakeProcessor {
    const index = this.processors.length;
    const processor: FakeProcessor = {
      state: 'offline',
      firmware: `qcom/sa8775p/${fields.name}.mbn`,
      recovery: 'enabled',
      crashCount: 0,
      power: fields.state === 'running' || fields.state === 'crashed' ? 1 : 0,
      boot: { kind: 'up' },
      driverPrefix: `qcom-pas-sim 0000:00:${(0x10 + index).toString(16)}.0`,
      ...fields,
    };
    this.processors.push(processor);
    return processor;
  }

  addVideoNode(fields: Partial<FakeVideoNode> & { device: string; name: string }): FakeVideoNode {
    const node: FakeVideoNode = { behaviour: { kind: 'boots' }, booted: false, devNode: true, ...fields };
    this.videos.push(node);
    return node;
  }

  processor(name: string): FakeProcessor {
    const found = this.processors.find((processor) => processor.name === name);
    if (!found) throw new Error(`FakeSoc: no processor ${name}`);
    return found;
  }

  /** Sets a state after `ms`, as something on the target would (the module's auto-boot, a late probe). */
  setStateAfter(name: string, ms: number, state: string, ...log: string[]): void {
    this.#after(ms, () => {
      const processor = this.processor(name);
      processor.state = state;
      if (log.length) this.#log(...log);
    });
  }

  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #listRemoteprocs(): string {
    return this.processors.map((p) => `rproc\t${p.device}\t${p.name}\t${p.state}\t${p.firmware}\t${p.recovery}\n`).join('');
  }

  #listVideos(): string {
    return this.videos.map((node) => `video\t${node.device}\t${node.name}\n`).join('');
  }

  #write(path: string, value: string): ScriptedAnswer {
    this.writes.push([path, value]);
    const sysfs = /^\/sys\/class\/remoteproc\/(remoteproc\d+)\/(\w+)$/.exec(path);
    const debugfs = /^\/sys\/kernel\/debug\/remoteproc\/(remoteproc\d+)\/(\w+)$/.exec(path);
    const processor = this.processors.find((candidate) => candidate.device === (sysfs ?? debugfs)?.[1]);
    if (!processor || (debugfs && !this.debugfsMounted)) return { stdout: `pilot-write failed sh: can't create ${path}: nonexistent directory\n` };
    if (sysfs?.[2] === 'state') return this.#writeState(processor, value);
    if (sysfs?.[2] === 'firmware') return this.#writeFirmware(processor, value);
    if (sysfs?.[2] === 'recovery') return this.#writeRecovery(processor, value);
    if (debugfs?.[2] === 'crash') return this.#writeCrash(processor, value);
    return { stdout: `pilot-write failed sh: can't create ${path}: nonexistent directory\n` };
  }

  /**
   * state_store() as measured on Debian's 6.1.0-56 (6.1.192): rproc_boot() on a processor that is on only takes another
   * power reference (no EBUSY), rproc_shutdown() stops it at the last one, stop on a crashed processor stops it, and stop
   * on an offline one is EINVAL.
   */
  #writeState(p: FakeProcessor, value: string): ScriptedAnswer {
    const on = p.state === 'running' || p.state === 'attached' || p.state === 'crashed';
    if (value === 'start') {
      if (on) {
        p.power = Math.max(p.power, 1) + 1;
        return { stdout: 'pilot-write ok\n' };
      }
      const log = [this.#core(p, `powering up ${p.name}`)];
      if (p.boot.kind === 'no-firmware') {
        log.push(this.#core(p, `request_firmware failed: -${ERRNO_VALUES.ENOENT}`), this.#core(p, `Boot failed: -${ERRNO_VALUES.ENOENT}`));
        return { ...refused('ENOENT'), log };
      }
      log.push(this.#core(p, `Booting fw image ${p.firmware}, size 20480`));
      if (p.boot.kind === 'timeout') {
        const { faults = 0, everyMs = 20, afterMs } = p.boot;
        for (let i = 0; i < faults; i++) this.guest.kernelLog.logAfter(i * everyMs, ...faultDump(i));
        return {
          ...refused('ETIMEDOUT'),
          delayMs: afterMs,
          log: [...log, `${p.driverPrefix}: start timed out`, this.#core(p, `Boot failed: -${ERRNO_VALUES.ETIMEDOUT}`)],
        };
      }
      p.state = 'running';
      p.power = 1;
      return { stdout: 'pilot-write ok\n', log: [...log, this.#core(p, `remote processor ${p.name} is now up`)] };
    }
    if (value === 'stop') {
      if (!on) return refused('EINVAL');
      if (p.power > 1) {
        p.power--;
        return { stdout: 'pilot-write ok\n' };
      }
      p.power = 0;
      p.state = 'offline';
      return { stdout: 'pilot-write ok\n', log: [this.#core(p, `stopped remote processor ${p.name}`)] };
    }
    return { ...refused('EINVAL'), log: [this.#core(p, `Unrecognised option: ${value}`)] };
  }

  /** rproc_set_firmware(): EBUSY unless offline. */
  #writeFirmware(p: FakeProcessor, value: string): ScriptedAnswer {
    if (p.state !== 'offline') return { ...refused('EBUSY'), log: [this.#core(p, "can't change firmware while running")] };
    if (value === '') return refused('EINVAL');
    p.firmware = value;
    return { stdout: 'pilot-write ok\n' };
  }

  /** recovery_store(): enabled, disabled, recover; anything else is EINVAL. */
  #writeRecovery(p: FakeProcessor, value: string): ScriptedAnswer {
    if (value === 'enabled') {
      p.recovery = 'enabled';
      this.#triggerRecovery(p);
    } else if (value === 'disabled') {
      p.recovery = 'disabled';
    } else if (value === 'recover') {
      this.#triggerRecovery(p);
    } else {
      return refused('EINVAL');
    }
    return { stdout: 'pilot-write ok\n' };
  }

  /** rproc_crash_write(): kstrtouint, then rproc_report_crash(), whose handler runs later on a workqueue. */
  #writeCrash(p: FakeProcessor, value: string): ScriptedAnswer {
    if (!/^\d+$/.test(value)) return refused('EINVAL');
    const type = CRASH_TYPE_NAMES[Number(value)] ?? 'unknown';
    this.#after(this.crashHandlingMs, () => {
      if (p.state === 'crashed' || p.state === 'offline') return;
      p.state = 'crashed';
      p.crashCount++;
      this.#log(this.#core(p, `handling crash #${p.crashCount} in ${p.name}`));
      if (p.recovery === 'enabled') this.#triggerRecovery(p);
    });
    return { stdout: 'pilot-write ok\n', log: [{ text: this.#core(p, `crash detected in ${p.name}: type ${type}`), level: 3 }] };
  }

  /** rproc_trigger_recovery(): only a crashed processor recovers; it reads offline between the stop and the new start. */
  #triggerRecovery(p: FakeProcessor): void {
    if (p.state !== 'crashed') return;
    p.state = 'offline';
    this.#log(this.#core(p, `recovering ${p.name}`), this.#core(p, `stopped remote processor ${p.name}`));
    this.#after(this.recoveryMs, () => {
      p.state = 'running';
      this.#log(this.#core(p, `remote processor ${p.name} is now up`));
    });
  }

  #open(path: string): ScriptedAnswer {
    const node = this.videos.find((candidate) => `/dev/${candidate.device}` === path);
    if (!node || !node.devNode) return { stdout: 'pilot-open missing\n' };
    const prefix = 'qcom-pas-sim 0000:00:12.0';
    if (node.booted) return { stdout: 'pilot-open ok\n' };
    const behaviour = node.behaviour;
    switch (behaviour.kind) {
      case 'boots':
        node.booted = true;
        return { stdout: 'pilot-open ok\n', log: [`${prefix}: iris firmware booted (simulated core)`] };
      case 'auth-fails':
        return {
          stdout: `pilot-open failed sh: can't open ${path}: ${STRERROR.EINVAL}\n`,
          log: [`${prefix}: auth and reset failed: ${behaviour.error}`, `${prefix}: core init failed`],
        };
      case 'boot-times-out':
        return {
          stdout: `pilot-open failed sh: can't open ${path}: ${STRERROR.ETIME}\n`,
          log: [`${prefix}: error booting up iris firmware`, `${prefix}: core init failed`],
        };
      case 'fails-silently':
        return { stdout: `pilot-open failed sh: can't open ${path}: ${STRERROR[behaviour.errno]}\n` };
    }
  }

  #core(p: FakeProcessor, message: string): string {
    return `remoteproc ${p.device}: ${message}`;
  }

  #log(...texts: string[]): void {
    this.guest.kernelLog.log(...texts);
  }

  #after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
  }
}

/** One arm-smmu-v3 event dump as 6.1 prints it: the header and the event's four dwords. */
export function faultDump(index = 0): string[] {
  const prefix = 'arm-smmu-v3 9050000.smmuv3';
  const address = (0x78000000 + index * 0x1000).toString(16).padStart(16, '0');
  return [
    `${prefix}: event 0x10 received:`,
    `${prefix}: \t0x0000008000000010`,
    `${prefix}: \t0x0000020000000000`,
    `${prefix}: \t0x${address}`,
    `${prefix}: \t0x0000000000000000`,
  ];
}

function refused(errno: string): ScriptedAnswer {
  return { stdout: `pilot-write failed sh: write error: ${STRERROR[errno]}\n` };
}

/** The value of `name='…'` in a snippet (the harness single-quotes every argument). */
/** The value of `name=` in a snippet, quoted (shellWord quotes what a shell would split) or bare. */
function argument(command: string, name: string): string {
  const found = new RegExp(`\\b${name}=(?:'((?:[^']|'\\\\'')*)'|([^\\s']*))(?=\\s|$)`).exec(command);
  if (!found) throw new Error(`FakeSoc: no ${name}= in ${command}`);
  return found[1] !== undefined ? found[1].replace(/'\\''/g, "'") : found[2]!;
}

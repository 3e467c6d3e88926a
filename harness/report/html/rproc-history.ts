// The state history of each remote processor, read back from the remoteproc core's own log lines (drivers/remoteproc/remoteproc_core.c).
import { parseKernelLine } from './log-lines.ts';

export type RprocState = 'offline' | 'starting' | 'loading' | 'running' | 'crashed' | 'recovering' | 'attaching' | 'attached' | 'detached' | 'failed';

export interface RprocEvent {
  /** Kernel time in seconds, as printed. */
  seconds: number;
  state: RprocState;
  /** What the line adds to the state: the firmware, the crash type, the errno. */
  detail?: string;
  /** The log line as it appeared. */
  line: string;
}

export interface RprocHistory {
  /** The processor's name (`adsp`), or its device (`remoteproc2`) until a line names it. */
  name: string;
  device: string;
  events: RprocEvent[];
}

/** dev_*() on the rproc's own device prints `remoteproc remoteprocN: `. */
const CORE_PREFIX = /^remoteproc (remoteproc\d+): (.*)$/;

interface Rule {
  regex: RegExp;
  state: RprocState;
  /** Which capture names the processor, if the line names it at all. */
  nameGroup?: number;
  detail?: (match: RegExpExecArray) => string;
}

/** Format strings of remoteproc_core.c and remoteproc_sysfs.c (Linux 6.1), most specific first. */
const RULES: ReadonlyArray<Rule> = [
  { regex: /^(\S+) is available$/, state: 'offline', nameGroup: 1, detail: () => 'registered' },
  { regex: /^powering up (\S+)$/, state: 'starting', nameGroup: 1 },
  { regex: /^attaching to (\S+)$/, state: 'attaching', nameGroup: 1 },
  { regex: /^Booting fw image (\S+), size (\d+)$/, state: 'loading', detail: (m) => `${m[1]} (${m[2]} bytes)` },
  { regex: /^remote processor (\S+) is now up$/, state: 'running', nameGroup: 1 },
  { regex: /^attached to remote processor (\S+)$/, state: 'attached', nameGroup: 1 },
  { regex: /^crash detected in (\S+): type (\S+)$/, state: 'crashed', nameGroup: 1, detail: (m) => `type ${m[2]}` },
  { regex: /^handling crash #(\d+) in (\S+)$/, state: 'crashed', nameGroup: 2, detail: (m) => `crash #${m[1]}` },
  { regex: /^recovering (\S+)$/, state: 'recovering', nameGroup: 1 },
  { regex: /^stopped remote processor (\S+)$/, state: 'offline', nameGroup: 1, detail: () => 'stopped' },
  { regex: /^detached remote processor (\S+)$/, state: 'detached', nameGroup: 1 },
  { regex: /^can't start rproc (\S+): (-?\d+)$/, state: 'failed', nameGroup: 1, detail: (m) => `start returned ${m[2]}` },
  { regex: /^failed to (?:prepare|probe) subdevices for (\S+): (-?\d+)$/, state: 'failed', nameGroup: 1, detail: (m) => `subdevices: ${m[2]}` },
  { regex: /^request_firmware failed: (-?\d+)$/, state: 'failed', detail: (m) => `request_firmware: ${m[1]}` },
  { regex: /^Failed to load program segments: (-?\d+)$/, state: 'failed', detail: (m) => `loading segments: ${m[1]}` },
  { regex: /^Failed to process resources: (-?\d+)$/, state: 'failed', detail: (m) => `resources: ${m[1]}` },
  { regex: /^can't stop rproc: (-?\d+)$/, state: 'failed', detail: (m) => `stop returned ${m[1]}` },
  // remoteproc_sysfs.c, when a start written to the state file fails.
  { regex: /^Boot failed: (-?\d+)$/, state: 'failed', detail: (m) => `boot: ${m[1]}` },
];

/** One history per processor, in the order the kernel first mentions them; lines without a timestamp are not kernel lines and are skipped. */
export function parseRprocHistory(lines: ReadonlyArray<string>): RprocHistory[] {
  const byDevice = new Map<string, RprocHistory>();
  for (const line of lines) {
    const kernel = parseKernelLine(line);
    if (!kernel) continue;
    const core = CORE_PREFIX.exec(kernel.text);
    if (!core) continue;
    const [, device, message] = core as unknown as [string, string, string];
    for (const rule of RULES) {
      const match = rule.regex.exec(message);
      if (!match) continue;
      let history = byDevice.get(device);
      if (!history) byDevice.set(device, (history = { name: device, device, events: [] }));
      if (rule.nameGroup !== undefined) history.name = match[rule.nameGroup]!;
      const detail = rule.detail?.(match);
      history.events.push({ seconds: kernel.seconds, state: rule.state, ...(detail ? { detail } : {}), line: line.trim() });
      break;
    }
  }
  return [...byDevice.values()];
}

// `run --keep-failed`: the machines of failed runs left up for a person, each with its keep.json, until Ctrl-C or --keep-for.
import { join } from 'node:path';
import { formatMs } from '../core/wait.ts';
import { shellLine } from '../host/shell-quote.ts';
import { sshCommandWords } from '../guest/ssh-command.ts';
import type { KeptMachine } from '../machine/machine.ts';
import { KEEP_JSON } from '../model/artifact-names.ts';
import type { KeepRecord } from '../model/keep-record.ts';
import type { RunResult } from '../model/results.ts';
import { writeFileAtomic } from '../report/atomic-write.ts';

/** How long kept machines live when --keep-for is not given: bounded, so a forgotten terminal does not hold them for days. */
export const DEFAULT_KEEP_MS = 30 * 60_000;
/** With CI=true a kept machine lives at most this long: a CI job must not hang on a machine nobody will log into. */
export const CI_KEEP_CAP_MS = 10 * 60_000;

export interface KeepOptions {
  /** How long each machine stays up after its run, at most. */
  forMs: number;
  /** What `pilot shell` needs besides the run id to find the run (`--artifacts DIR` when not the default). */
  shellArguments?: readonly string[];
  now?: () => number;
}

interface Entry {
  record: KeepRecord;
  machine: KeptMachine;
  file: string;
  /** Why pilot ended it, when pilot did. */
  endedBecause?: string;
  timer?: NodeJS.Timeout;
  settled: Promise<void>;
}

/** A run worth keeping: it said something was wrong, and no interrupt ended it. */
export function keepsRun(result: Pick<RunResult, 'status' | 'failure'>): boolean {
  return (result.status === 'fail' || result.status === 'error') && result.failure?.code !== 'E_ABORTED';
}

export class KeptMachines {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly changed = new Set<() => void>();

  constructor(private readonly options: KeepOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Machines still up. */
  get live(): number {
    return [...this.entries.values()].filter((entry) => entry.record.ended === undefined).length;
  }

  /** Takes the machine over: writes keep.json into the run's folder and ends the machine when its time is up. */
  async add(result: RunResult, machine: KeptMachine): Promise<KeepRecord> {
    const keptAt = this.now();
    const record: KeepRecord = {
      run: result.id,
      pid: machine.pid,
      pilotPid: process.pid,
      host: '127.0.0.1',
      sshPort: machine.sshPort,
      user: 'root',
      privateKeyPath: machine.privateKeyPath,
      ...(machine.gdbPort !== undefined ? { gdbPort: machine.gdbPort } : {}),
      keptAt: new Date(keptAt).toISOString(),
      until: new Date(keptAt + this.options.forMs).toISOString(),
    };
    const file = join(result.artifactsDir, KEEP_JSON);
    // Registered before any await, so a release that comes meanwhile (Ctrl-C) still ends this machine.
    const entry: Entry = { record, machine, file, settled: Promise.resolve() };
    this.entries.set(result.id, entry);
    entry.timer = setTimeout(() => void this.end(entry, `--keep-for ${formatMs(this.options.forMs)} passed`), this.options.forMs);
    entry.timer.unref();
    const written = writeFileAtomic(file, JSON.stringify(record, null, 2) + '\n');
    entry.settled = Promise.all([written.catch(() => undefined), machine.ended]).then(async () => {
      clearTimeout(entry.timer);
      record.ended = { at: new Date(this.now()).toISOString(), why: entry.endedBecause ?? 'the machine exited on its own (the guest powered off or crashed)' };
      await writeFileAtomic(file, JSON.stringify(record, null, 2) + '\n').catch(() => undefined);
      for (const notify of this.changed) notify();
    });
    await written;
    return record;
  }

  recordFor(runId: string): KeepRecord | undefined {
    return this.entries.get(runId)?.record;
  }

  /** How to get into a kept run's machine, as printed right after its result and again after the summary. */
  accessLines(record: KeepRecord): string[] {
    const ssh = shellLine(sshCommandWords({ host: record.host, port: record.sshPort, user: record.user, privateKeyPath: record.privateKeyPath }));
    return [`pilot shell ${shellLine([record.run, ...(this.options.shellArguments ?? [])])}`, ssh];
  }

  /** Resolves once every kept machine has ended (by its time limit or on its own), or at once when `signal` aborts. */
  async hold(signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.live === 0) return;
    await new Promise<void>((resolve) => {
      const check = () => {
        if (!signal.aborted && this.live > 0) return;
        this.changed.delete(check);
        signal.removeEventListener('abort', check);
        resolve();
      };
      this.changed.add(check);
      signal.addEventListener('abort', check);
    });
  }

  /** Ends every machine still up, saying why in its keep.json; waits until each is gone and its keep.json rewritten. */
  async release(why: string): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => this.end(entry, why)));
  }

  private async end(entry: Entry, why: string): Promise<void> {
    if (entry.record.ended === undefined && entry.endedBecause === undefined) entry.endedBecause = why;
    clearTimeout(entry.timer);
    await entry.machine.stop().catch(() => undefined);
    await entry.settled;
  }
}

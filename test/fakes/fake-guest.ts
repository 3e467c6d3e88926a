// A scripted Guest for unit tests: exec answers from a script, streams from a test's opener, a kernel log tests append to
// over time, and a machine that can die.
import { InfraError } from '../../harness/core/errors.ts';
import { abortReason, race, sleep, type WaitLimits } from '../../harness/core/wait.ts';
import type { FileStreams, StreamChannel } from '../../harness/guest/file-streams.ts';
import type { ExecOptions, ExecResult, Guest, KernelLog, KmsgRecord } from '../../harness/guest/guest.ts';

type RecordInput = string | (Partial<KmsgRecord> & { text: string });

/**
 * The kernel log as a reader on the target would see it. Records "logged" with log() are received at once;
 * logUnreceived() models records the kernel has logged that reach the harness only on the next sync().
 */
export class FakeKernelLog implements KernelLog {
  readonly #records: KmsgRecord[] = [];
  readonly #unreceived: KmsgRecord[] = [];
  readonly #listeners = new Set<(record: KmsgRecord) => void>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #seq: number;
  #usec = 0;
  /** Number of sync() calls so far. */
  syncCalls = 0;
  /** When set, sync() never finishes by itself (it still honours its signal and deadline). */
  syncHangs = false;
  /** When set, sync() rejects with it. */
  syncError: Error | undefined;

  constructor(initial: ReadonlyArray<RecordInput> = [], options: { firstSeq?: number } = {}) {
    this.#seq = options.firstSeq ?? 0;
    this.log(...initial);
  }

  get records(): ReadonlyArray<KmsgRecord> {
    return this.#records;
  }

  /** Appends records as received now, and tells subscribers. */
  log(...entries: RecordInput[]): KmsgRecord[] {
    const made = entries.map((entry) => this.#make(entry));
    for (const record of made) this.#deliver(record);
    return made;
  }

  /** Appends records the kernel has logged but the harness receives only at the next sync(). */
  logUnreceived(...entries: RecordInput[]): KmsgRecord[] {
    const made = entries.map((entry) => this.#make(entry));
    this.#unreceived.push(...made);
    return made;
  }

  /** Logs records after `ms`; dispose() cancels what has not fired. */
  logAfter(ms: number, ...entries: RecordInput[]): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.log(...entries);
    }, ms);
    this.#timers.add(timer);
  }

  /** Appends a whole list of existing records (e.g. a real boot log), keeping their seq and usec. */
  replay(records: ReadonlyArray<KmsgRecord>): void {
    for (const record of records) {
      this.#seq = Math.max(this.#seq, record.seq + 1);
      this.#usec = Math.max(this.#usec, record.usec);
      this.#deliver({ ...record });
    }
  }

  async sync(options: { signal?: AbortSignal; deadline?: number } = {}): Promise<void> {
    this.syncCalls++;
    if (options.signal?.aborted) throw abortReason(options.signal, 'kernel log sync');
    if (this.syncError) throw this.syncError;
    if (this.syncHangs) {
      await race(new Promise<never>(() => {}), 'kernel log sync', { signal: options.signal, deadline: options.deadline });
    }
    await Promise.resolve();
    for (const record of this.#unreceived.splice(0)) this.#deliver(record);
  }

  since(fromSeq: number): KmsgRecord[] {
    return this.#records.filter((record) => record.seq >= fromSeq);
  }

  nextSeq(): number {
    const last = this.#records.at(-1);
    return last ? last.seq + 1 : (this.#unreceived[0]?.seq ?? this.#seq);
  }

  subscribe(listener: (record: KmsgRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** How many listeners are attached; tests use it to check that waits unsubscribe. */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #make(entry: RecordInput): KmsgRecord {
    const fields = typeof entry === 'string' ? { text: entry } : entry;
    this.#usec = fields.usec ?? this.#usec + 1000;
    return { level: 6, facility: 0, seq: this.#seq++, usec: this.#usec, ...fields };
  }

  #deliver(record: KmsgRecord): void {
    this.#records.push(record);
    for (const listener of [...this.#listeners]) listener(record);
  }
}

/** A machine whose death tests trigger; `died` rejects with the reason, like RunningMachine.died. */
export class FakeMachine {
  readonly died: Promise<never>;
  #kill: (reason: Error) => void = () => {};
  #dead: Error | undefined;

  constructor() {
    this.died = new Promise<never>((_, reject) => {
      this.#kill = reject;
    });
    // Nobody may be listening yet; an unobserved death must not crash the test process.
    this.died.catch(() => {});
  }

  get dead(): Error | undefined {
    return this.#dead;
  }

  die(reason: Error = new InfraError('E_QEMU_EXITED', 'QEMU exited with status 1')): void {
    if (this.#dead) return;
    this.#dead = reason;
    this.#kill(reason);
  }
}

/** What a scripted command answers; `log` records reach the kernel log just before the answer. */
export interface ScriptedAnswer {
  code?: number | null;
  signal?: string;
  stdout?: string;
  stderr?: string;
  /** Answer after this long (still cut short by the exec's timeout, signal and the machine's death). */
  delayMs?: number;
  /** Never answer: the exec ends only by its timeout (E_EXEC_TIMEOUT), its signal or the machine's death. */
  hang?: boolean;
  log?: RecordInput[];
}

type Matcher = string | RegExp | ((command: string) => boolean);
type Responder = ScriptedAnswer | ((command: string, options: ExecOptions, guest: FakeGuest) => ScriptedAnswer | Promise<ScriptedAnswer>);

interface Script {
  matches: (command: string) => boolean;
  respond: Responder;
  once: boolean;
}

/** Opens the channel a test hands a push; it may be a real one, a Duplex of its own, or throw. */
export type StreamOpener = (command: string, limits: WaitLimits) => StreamChannel | Promise<StreamChannel>;

/**
 * A Guest with scripted exec answers. The most recently added script that matches a command answers it. It can stream
 * files only once a test gives it an opener (onStream); until then it is a guest a deploy must refuse.
 */
export class FakeGuest implements Guest, FileStreams {
  readonly kernelLog: FakeKernelLog;
  readonly machine: FakeMachine;
  readonly execCalls: Array<{ command: string; options: ExecOptions }> = [];
  closed = false;
  readonly #scripts: Script[] = [];
  #opener: StreamOpener | undefined;
  readonly streamCalls: string[] = [];

  constructor(options: { records?: ReadonlyArray<RecordInput>; machine?: FakeMachine } = {}) {
    this.kernelLog = new FakeKernelLog(options.records ?? []);
    this.machine = options.machine ?? new FakeMachine();
  }

  /** Scripts the answer to commands equal to `match` (string), matching it (RegExp) or accepted by it (function). */
  onExec(match: Matcher, respond: Responder, options: { once?: boolean } = {}): this {
    const matches =
      typeof match === 'string' ? (command: string) => command === match : match instanceof RegExp ? (command: string) => match.test(command) : match;
    this.#scripts.unshift({ matches, respond, once: options.once ?? false });
    return this;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.execCalls.push({ command, options });
    const started = Date.now();
    if (this.machine.dead) throw this.machine.dead;
    const index = this.#scripts.findIndex((script) => script.matches(command));
    if (index < 0) throw new Error(`FakeGuest: no scripted answer for command: ${command}`);
    const script = this.#scripts[index]!;
    if (script.once) this.#scripts.splice(index, 1);
    const answer = typeof script.respond === 'function' ? await script.respond(command, options, this) : script.respond;

    const deadline = options.timeoutMs === undefined ? undefined : started + options.timeoutMs;
    const limits = { signal: options.signal, deadline, dies: [this.machine.died] };
    const timedOut = () => new InfraError('E_EXEC_TIMEOUT', `'${command}' did not finish within ${options.timeoutMs} ms`);
    if (answer.hang) await race(new Promise<never>(() => {}), command, limits, timedOut);
    if (answer.delayMs) await race(sleep(answer.delayMs, { signal: options.signal }), command, limits, timedOut);
    if (options.signal?.aborted) throw abortReason(options.signal, command);
    if (answer.log) this.kernelLog.log(...answer.log);
    return {
      command,
      code: answer.code === undefined ? 0 : answer.code,
      signal: answer.signal,
      stdout: answer.stdout ?? '',
      stderr: answer.stderr ?? '',
      durationMs: Date.now() - started,
    };
  }

  /** Gives the guest the file-stream capability, opening each channel with `opener`. */
  onStream(opener: StreamOpener): this {
    this.#opener = opener;
    return this;
  }

  get fileStreams(): FileStreams | undefined {
    return this.#opener ? this : undefined;
  }

  async openStream(command: string, limits: WaitLimits = {}): Promise<StreamChannel> {
    this.streamCalls.push(command);
    if (!this.#opener) throw new Error(`FakeGuest: no stream opener for command: ${command}`);
    if (this.machine.dead) throw this.machine.dead;
    return race(Promise.resolve(this.#opener(command, limits)), `opening a stream for '${command}'`, { ...limits, dies: [...(limits.dies ?? []), this.machine.died] });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.kernelLog.dispose();
  }
}


// The human reporter: a live block of running scenarios on a terminal, plain append-only lines everywhere else.
import { formatMs } from '../core/wait.ts';
import { STATUS_LABEL, STATUS_MARK, STATUS_MEANING, describeAttempts, describeFailure, describeRunOutcome, firstLine } from './describe.ts';
import { describeKnown, describeKnownEvidence, isKnownFailure } from '../known-issues/describe.ts';
import type { PlannedRun, Reporter } from './reporter.ts';
import type { RunResult, RunSummary, Status, StepResult } from '../model/results.ts';

export interface ConsoleReporterOptions {
  /** Where to write; process.stdout by default. */
  stream?: NodeJS.WritableStream;
  /** Live redrawing block or plain lines; by default the stream's isTTY, and never when CI=true. */
  isTTY?: boolean;
  /** By default on a TTY unless NO_COLOR is set. */
  color?: boolean;
  /** Terminal width for the live block; by default the stream's columns, else 80. */
  columns?: number;
  env?: Readonly<Record<string, string | undefined>>;
  redrawIntervalMs?: number;
  /** Evidence lines quoted per failure in the summary. */
  evidenceLines?: number;
  now?: () => number;
}

export interface ConsoleMode {
  isTTY: boolean;
  color: boolean;
}

/**
 * Decides TTY and colour for every CLI alike: CI logs and TERM=dumb get no escapes; NO_COLOR (non-empty) turns colour off,
 * FORCE_COLOR (non-empty, not 0) turns it on even into a pipe, and NO_COLOR wins when both are set.
 */
export function detectConsoleMode(
  stream: NodeJS.WritableStream,
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: Partial<ConsoleMode> = {},
): ConsoleMode {
  const streamIsTTY = (stream as { isTTY?: boolean }).isTTY === true;
  const dumb = env.TERM === 'dumb';
  const isTTY = overrides.isTTY ?? (streamIsTTY && env.CI !== 'true' && !dumb);
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const color = overrides.color ?? (!env.NO_COLOR && (forced || (isTTY && !dumb)));
  return { isTTY, color };
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ESC = '\x1b[';
const CLEAR_LINE_END = `${ESC}K`;
const CLEAR_BELOW = `${ESC}J`;
// Terminals that know DEC mode 2026 paint a redraw at once; the others ignore it.
const SYNC_BEGIN = `${ESC}?2026h`;
const SYNC_END = `${ESC}?2026l`;
const SGR = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;
const STATUS_COLOUR: Record<Status, keyof typeof SGR> = { pass: 'green', fail: 'red', error: 'yellow', skip: 'dim' };
// Failures first, then the runs that say nothing about the kernel, then the ones that never ran.
const SUMMARY_ORDER: Status[] = ['fail', 'error', 'skip'];

interface LiveRun {
  run: PlannedRun;
  startedAt: number;
  activity: string;
}

export class ConsoleReporter implements Reporter {
  readonly name = 'console';
  private readonly stream: NodeJS.WritableStream;
  private readonly mode: ConsoleMode;
  private readonly fixedColumns: number | undefined;
  private readonly redrawIntervalMs: number;
  private readonly evidenceLimit: number;
  private readonly now: () => number;
  private readonly live = new Map<string, LiveRun>();
  /** Result lines waiting for the next redraw, so run ends cannot push the redraw rate past the tick. */
  private readonly pendingLines: string[] = [];
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private plannedRuns = 0;
  /** The phase each run was last seen in, to say where a failure outside the steps happened. */
  private readonly lastPhase = new Map<string, string>();

  constructor(options: ConsoleReporterOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.mode = detectConsoleMode(this.stream, options.env ?? process.env, { isTTY: options.isTTY, color: options.color });
    this.fixedColumns = options.columns;
    this.redrawIntervalMs = options.redrawIntervalMs ?? 100;
    this.evidenceLimit = options.evidenceLines ?? 8;
    this.now = options.now ?? Date.now;
  }

  onBegin(plan: { runs: PlannedRun[]; artifactsDir: string; jobs: number }): void {
    this.plannedRuns = plan.runs.length;
    const runs = plural(plan.runs.length, 'run');
    this.writeLines([`pilot: ${runs}, up to ${plan.jobs} at a time; artifacts in ${plan.artifactsDir}`]);
  }

  onRunBegin(run: PlannedRun): void {
    if (!this.mode.isTTY) {
      this.writeLines([`[${run.id}] start ${run.file} (${plural(run.stepTitles.length, 'step')})`]);
      return;
    }
    this.live.set(run.id, { run, startedAt: this.now(), activity: 'starting' });
    this.startTimer();
  }

  onPhase(run: PlannedRun, phase: string): void {
    this.lastPhase.set(run.id, phase);
    if (!this.mode.isTTY) {
      this.writeLines([`[${run.id}] ${phase}`]);
      return;
    }
    const live = this.live.get(run.id);
    if (live) live.activity = phase;
  }

  onProgress(run: PlannedRun, phase: string, detail: string, done: boolean): void {
    // CI logs get the outcome of a transfer, not every tick of it.
    if (!this.mode.isTTY) {
      if (done) this.writeLines([`[${run.id}] ${phase} ${detail}`]);
      return;
    }
    const live = this.live.get(run.id);
    if (live) live.activity = `${phase} ${detail}`;
  }

  onStepBegin(run: PlannedRun, index: number, title: string): void {
    this.lastPhase.delete(run.id);
    // In CI logs a step that hangs must show which one it is.
    if (!this.mode.isTTY) this.writeLines([`[${run.id}] step ${index + 1}/${run.stepTitles.length} ${title} …`]);
    const live = this.live.get(run.id);
    if (live) live.activity = `step ${index + 1}/${run.stepTitles.length} ${title}`;
  }

  onStepEnd(run: PlannedRun, step: StepResult): void {
    if (this.mode.isTTY) return;
    const failure = step.failure ? ` ${step.failure.code}: ${firstLine(step.failure.message)}` : '';
    const position = `${step.index + 1}/${run.stepTitles.length}`;
    this.writeLines([`[${run.id}] step ${position} ${step.title}: ${step.status} (${formatMs(step.durationMs)})${failure}`]);
  }

  onRunEnd(run: PlannedRun, result: RunResult): void {
    const line = this.resultLine(result);
    if (!this.mode.isTTY) {
      this.writeLines([line]);
      return;
    }
    this.live.delete(run.id);
    this.pendingLines.push(line);
    // The next tick prints it; a run that ends without ever starting (a skip) needs the timer too.
    this.startTimer();
  }

  onNotice(run: PlannedRun, lines: string[]): void {
    // Commands to copy: printed whole, never clipped to the terminal's width.
    this.writeLines(lines.map((line) => `[${run.id}] ${printable(line)}`));
  }

  onEnd(summary: RunSummary): void {
    this.stopTimer();
    if (this.mode.isTTY) this.eraseBlock();
    this.writeLines(this.summaryLines(summary));
  }

  private resultLine(result: RunResult): string {
    const { label, duration, headline } = describeRunOutcome(result);
    const mark = `${STATUS_MARK[result.status]} ${label.padEnd(5)}`;
    const head = `${mark} ${result.id}  ${duration}`;
    // On a terminal the result stays one row; the summary repeats the whole message.
    const room = this.mode.isTTY ? this.width() - head.length - 2 : Infinity;
    const tail = headline && room > 10 ? `  ${clip(printable(headline), room)}` : '';
    return `${this.paint(STATUS_COLOUR[result.status], mark)} ${result.id}  ${this.paint('dim', duration)}${tail}`;
  }

  private width(): number {
    // A pty without a size (script, some CI runners) reports 0 columns.
    const columns = this.fixedColumns || (this.stream as { columns?: number }).columns || 80;
    return Math.max(20, columns - 1);
  }

  private summaryLines(summary: RunSummary): string[] {
    const { counts } = summary;
    const parts = [
      this.countPart(counts.pass, 'passed', 'pass'),
      this.countPart(counts.fail, 'failed', 'fail') + knownPart(summary.runs, 'fail'),
      this.countPart(counts.error, counts.error === 1 ? 'error' : 'errors', 'error') + knownPart(summary.runs, 'error'),
      this.countPart(counts.skip, 'skipped', 'skip'),
    ];
    const lines = ['', `${this.paint('bold', 'Summary')}: ${plural(summary.runs.length, 'run')} in ${formatMs(summary.durationMs)}: ${parts.join(', ')}`];
    const kernels = kernelsLine(summary.runs);
    if (kernels) lines.push(kernels);
    if (summary.interrupted) {
      const unfinished = Math.max(0, this.plannedRuns - summary.runs.length);
      const detail = unfinished > 0 ? `; ${plural(unfinished, 'planned run')} did not finish` : '';
      lines.push(this.paint('yellow', `Interrupted before the plan was done${detail}.`));
    }
    for (const status of SUMMARY_ORDER) {
      const runs = summary.runs.filter((r) => r.status === status && !isKnownFailure(r));
      if (status === 'skip' && runs.length) lines.push('');
      for (const run of runs) lines.push(...this.runDetail(run));
    }
    // Known failures are listed apart, one line each: what is new needs a person, what is known needs a glance.
    const known = summary.runs.filter(isKnownFailure);
    if (known.length) lines.push('', this.paint('bold', `Known failures, not counted as new (${known.length}):`));
    for (const run of known) lines.push(`${this.paint('dim', `${STATUS_MARK[run.status]} ${STATUS_LABEL[run.status]}`)} ${run.id} — ${printable(describeKnown(run)!)}`);
    // Flaky runs passed, so they count as passed; they are named because the machine or harness needed a second try.
    const flaky = summary.runs.filter((run) => run.flaky);
    if (flaky.length) lines.push('', this.paint('yellow', `Flaky, passed after an ERROR (${flaky.length}):`));
    for (const run of flaky) lines.push(`${run.id} — ${printable(describeAttempts(run)!)}; earlier attempts in ${run.attempts!.map((attempt) => attempt.artifactsDir).join(', ')}`);
    lines.push('', `Artifacts: ${summary.artifactsDir} (report.html to browse them)`);
    return lines;
  }

  private countPart(count: number, word: string, status: Status): string {
    const text = `${count} ${word}`;
    return count > 0 ? this.paint(STATUS_COLOUR[status], text) : text;
  }

  private runDetail(run: RunResult): string[] {
    const heading = `${STATUS_MARK[run.status]} ${STATUS_LABEL[run.status]}`;
    const described = describeFailure(run, this.evidenceLimit, this.lastPhase.get(run.id));
    if (run.status === 'skip') {
      const reason = described.headline ? `: ${printable(described.headline)}` : '';
      return [`${this.paint('dim', heading)} ${run.id} — ${STATUS_MEANING.skip}${reason}`];
    }
    const lines = ['', `${this.paint(STATUS_COLOUR[run.status], heading)} ${run.id} — ${STATUS_MEANING[run.status]}`];
    lines.push(`    ${printable(described.where)}`);
    if (described.headline) lines.push(...printable(described.headline).split('\n').map((l) => `    ${this.paint('bold', l)}`));
    lines.push(...described.evidence.map((l) => `        ${printable(clip(l, 400))}`));
    if (described.hint) lines.push(`    hint: ${printable(described.hint)}`);
    if (run.known) lines.push(`    ${this.paint('yellow', printable(describeKnown(run)!))}`, `    ${printable(describeKnownEvidence(run)!)}`);
    lines.push(`    artifacts: ${run.artifactsDir}`);
    return lines;
  }

  private paint(style: keyof typeof SGR, text: string): string {
    return this.mode.color ? `${ESC}${SGR[style]}m${text}${ESC}0m` : text;
  }

  private writeLines(lines: string[]): void {
    if (this.mode.isTTY && (this.drawnLines > 0 || this.pendingLines.length > 0)) {
      this.pendingLines.push(...lines);
      this.redraw();
      return;
    }
    this.stream.write(lines.map((l) => `${l}\n`).join(''));
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.redrawIntervalMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    this.redraw();
    if (this.live.size === 0) this.stopTimer();
  }

  /** One write per frame: climb over the old block, print finished results, repaint the block, clear what is left below. */
  private redraw(): void {
    const block = this.liveLines();
    if (this.drawnLines === 0 && block.length === 0 && this.pendingLines.length === 0) return;
    let frame = SYNC_BEGIN + this.cursorToBlockTop();
    for (const line of this.pendingLines.splice(0)) frame += `${line}${CLEAR_LINE_END}\n`;
    for (const line of block) frame += `${line}${CLEAR_LINE_END}\n`;
    frame += CLEAR_BELOW + SYNC_END;
    this.drawnLines = block.length;
    this.stream.write(frame);
  }

  private eraseBlock(): void {
    const pending = this.pendingLines.splice(0).map((l) => `${l}${CLEAR_LINE_END}\n`).join('');
    if (this.drawnLines === 0 && pending === '') return;
    this.stream.write(SYNC_BEGIN + this.cursorToBlockTop() + pending + CLEAR_BELOW + SYNC_END);
    this.drawnLines = 0;
  }

  private cursorToBlockTop(): string {
    return this.drawnLines > 0 ? `${ESC}${this.drawnLines}A\r` : '';
  }

  private liveLines(): string[] {
    const now = this.now();
    const spinner = SPINNER[Math.floor(now / 80) % SPINNER.length]!;
    const width = this.width();
    return [...this.live.values()].map((live) => {
      const elapsed = ` … ${((now - live.startedAt) / 1000).toFixed(1)}s`;
      const head = `${spinner} ${live.run.id}  `;
      // Lines must never wrap: the cursor arithmetic counts one row per running scenario.
      const activity = clip(printable(live.activity), width - head.length - elapsed.length);
      const line = clip(`${head}${activity}${elapsed}`, width);
      return this.paint('cyan', spinner) + line.slice(spinner.length);
    });
  }
}

export function createConsoleReporter(options: ConsoleReporterOptions = {}): ConsoleReporter {
  return new ConsoleReporter(options);
}

/** Kernel logs carry escape sequences and stray control bytes; show them as \xNN rather than let them drive the terminal. */
export function printable(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function clip(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** ` (1 known)` after a count that includes failures matched by an unexpired known issue. */
function knownPart(runs: ReadonlyArray<RunResult>, status: Status): string {
  const known = runs.filter((run) => run.status === status && isKnownFailure(run)).length;
  return known ? ` (${known} known)` : '';
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `Kernels: 6.12.117+deb12-arm64 on soc real (2 runs), 6.1.0-56-arm64 on soc sim (3 runs)`: which kernel and SoC each run's steps ran on (a deployed kernel, else the booted one). */
export function kernelsLine(runs: ReadonlyArray<RunResult>): string | undefined {
  const groups = new Map<string, number>();
  for (const run of runs) {
    if (!run.soc) continue;
    const key = `${run.deploy?.release ?? run.bootedKernelRelease ?? run.kernelRelease ?? '(kernel unknown)'} on soc ${run.soc}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  if (!groups.size) return undefined;
  return `Kernels: ${[...groups].map(([key, count]) => `${key} (${plural(count, 'run')})`).join(', ')}`;
}

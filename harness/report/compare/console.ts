// The compare report a patch author reads: what broke first, what changed, a scenario × profile matrix, one summary line.
import { formatMs } from '../../core/wait.ts';
import { VERDICT_MEANING, comparedCount, profileRank, type ComparedRun, type ComparedSummary, type Comparison, type FailureSnapshot, type Verdict } from './compare.ts';
import { printable } from '../console.ts';
import { STATUS_LABEL, capLines, firstLine } from '../describe.ts';

export interface CompareConsoleOptions {
  /** ANSI colour; off unless asked (the caller decides with detectConsoleMode). */
  color?: boolean;
  /** Evidence lines quoted per failure. */
  evidenceLines?: number;
}

export const VERDICT_MARK: Readonly<Record<Verdict, string>> = {
  regressed: '▼',
  inconclusive: '!',
  'still-failing': '✘',
  fixed: '▲',
  new: '+',
  gone: '?',
  skipped: '-',
  unchanged: '✔',
};

const VERDICT_TITLE: Readonly<Record<Verdict, string>> = {
  regressed: 'REGRESSED',
  inconclusive: 'INCONCLUSIVE',
  'still-failing': 'STILL FAILING',
  fixed: 'FIXED',
  new: 'NEW',
  gone: 'GONE',
  skipped: 'SKIPPED',
  unchanged: 'UNCHANGED',
};

/** Words of the summary line, in the order the line gives them. */
const SUMMARY_WORD: Readonly<Record<Verdict, string>> = {
  regressed: 'regressed',
  fixed: 'fixed',
  'still-failing': 'still failing',
  unchanged: 'unchanged',
  inconclusive: 'inconclusive',
  skipped: 'skipped',
  new: 'new',
  gone: 'gone',
};

const SGR = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, magenta: 35, cyan: 36 } as const;
type Style = keyof typeof SGR;
const VERDICT_COLOUR: Readonly<Record<Verdict, Style>> = {
  regressed: 'red',
  inconclusive: 'yellow',
  'still-failing': 'magenta',
  fixed: 'green',
  new: 'cyan',
  gone: 'dim',
  skipped: 'dim',
  unchanged: 'green',
};

export function renderCompareConsole(comparison: Comparison, options: CompareConsoleOptions = {}): string {
  const lines = new CompareConsoleRenderer(options).render(comparison);
  return lines.map((l) => `${l}\n`).join('');
}

class CompareConsoleRenderer {
  private readonly color: boolean;
  private readonly evidenceLimit: number;

  constructor(options: CompareConsoleOptions) {
    this.color = options.color ?? false;
    this.evidenceLimit = options.evidenceLines ?? 5;
  }

  render(comparison: Comparison): string[] {
    const lines = [this.paint('bold', 'pilot compare'), ...this.sideLines(comparison)];
    for (const verdict of Object.keys(VERDICT_MARK) as Verdict[]) {
      // Unchanged runs are the quiet majority: the matrix and the summary line account for them.
      if (verdict === 'unchanged') continue;
      const runs = comparison.runs.filter((r) => r.verdict === verdict);
      if (runs.length) lines.push('', ...this.group(verdict, runs));
    }
    lines.push('', ...this.matrix(comparison), '', ...this.closing(comparison));
    return lines;
  }

  private sideLines(comparison: Comparison): string[] {
    const rows = (['baseline', 'patched'] as const).map((name) => [name, ...describeSide(comparison[name])]);
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
    return rows.map((r) => `  ${r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ')}`.trimEnd());
  }

  private group(verdict: Verdict, runs: ComparedRun[]): string[] {
    const heading = `${VERDICT_MARK[verdict]} ${VERDICT_TITLE[verdict]} (${runs.length})`;
    const lines = [`${this.paint(VERDICT_COLOUR[verdict], this.paint('bold', heading))}  ${VERDICT_MEANING[verdict]}`];
    const idWidth = Math.max(...runs.map((r) => r.id.length));
    for (const run of runs) lines.push(...this.entry(run, idWidth));
    return lines;
  }

  private entry(run: ComparedRun, idWidth: number): string[] {
    const head = `  ${run.id.padEnd(idWidth)}  `;
    const { baseline, patched } = run;
    switch (run.verdict) {
      case 'regressed':
        return [...this.failureBlock(head, patched!.failure), `      artifacts: ${patched!.artifactsDir}`];
      case 'fixed':
        return [`${head}failed before: ${oneLine(baseline!.failure)}`];
      case 'still-failing':
        if (!run.failureChanged) return [`${head}same failure: ${oneLine(patched!.failure)}`];
        return [
          `${head}${this.paint('bold', 'failure changed')}`,
          `      before: ${oneLine(baseline!.failure)}`,
          `      now:    ${oneLine(patched!.failure)}`,
          ...this.evidence(patched!.failure),
          `      artifacts: ${patched!.artifactsDir}`,
        ];
      case 'inconclusive': {
        const errored = run.side === 'baseline' ? baseline! : patched!;
        const where = run.side === 'both' ? 'ERROR on both sides' : `ERROR on the ${run.side} side`;
        const other = run.side === 'both' ? '' : `; the ${run.side === 'baseline' ? 'patched' : 'baseline'} side was ${STATUS_LABEL[(run.side === 'baseline' ? patched! : baseline!).status]}`;
        return [`${head}${where}${other}`, `      ${oneLine(errored.failure)}`, `      artifacts: ${errored.artifactsDir}`];
      }
      case 'new':
        return patched!.status === 'pass' ? [`${head}PASS`] : this.failureBlock(`${head}${STATUS_LABEL[patched!.status]} `, patched!.failure);
      case 'gone':
        return [`${head}was ${STATUS_LABEL[baseline!.status]}; no result with the patch`];
      case 'skipped': {
        const skipped = run.side === 'baseline' ? baseline! : patched!;
        const where = run.side === 'both' ? 'not run on either side' : `not run on the ${run.side} side`;
        const reason = skipped.failure ? `: ${printable(`${skipped.failure.code}: ${firstLine(skipped.failure.message)}`)}` : '';
        return [`${head}${where}${reason}`];
      }
      case 'unchanged':
        return [`${head}PASS on both`];
    }
  }

  /** Where, then the failure line, then its first evidence lines. */
  private failureBlock(head: string, failure: FailureSnapshot | undefined): string[] {
    if (!failure) return [`${head}(no failure recorded)`];
    return [`${head}${printable(failure.where)}`, `      ${this.paint('bold', headline(failure))}`, ...this.evidence(failure)];
  }

  private evidence(failure: FailureSnapshot | undefined): string[] {
    const lines = capLines(failure?.evidence ?? [], this.evidenceLimit);
    return lines.map((l) => `          ${printable(clip(l, 200))}`);
  }

  private matrix(comparison: Comparison): string[] {
    const profiles = [...new Set(comparison.runs.map((r) => r.profile as string))].sort((a, b) => profileRank(a) - profileRank(b));
    const scenarios = [...new Set(comparison.runs.map((r) => r.scenario))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const cell = new Map(comparison.runs.map((r) => [`${r.scenario}@${r.profile}`, r.verdict]));
    const nameWidth = Math.max(8, ...scenarios.map((s) => s.length));
    const header = `  ${''.padEnd(nameWidth)}  ${profiles.join('  ')}`.trimEnd();
    const lines = [header];
    for (const scenario of scenarios) {
      const cells = profiles.map((profile) => {
        const verdict = cell.get(`${scenario}@${profile}`);
        // Centre the mark under its profile name; an empty cell means that profile never ran the scenario.
        const left = Math.floor((profile.length - 1) / 2);
        const mark = verdict ? this.paint(VERDICT_COLOUR[verdict], VERDICT_MARK[verdict]) : ' ';
        return `${' '.repeat(left)}${mark}${' '.repeat(profile.length - 1 - left)}`;
      });
      lines.push(`  ${scenario.padEnd(nameWidth)}  ${cells.join('  ')}`.trimEnd());
    }
    const present = (Object.keys(VERDICT_MARK) as Verdict[]).filter((v) => comparison.counts[v] > 0);
    lines.push(`  ${present.map((v) => `${VERDICT_MARK[v]} ${SUMMARY_WORD[v]}`).join('   ')}`);
    return lines;
  }

  private closing(comparison: Comparison): string[] {
    const lines: string[] = [];
    const { counts } = comparison;
    if (comparison.baseline.interrupted || comparison.patched.interrupted) {
      const which = [comparison.baseline.interrupted && 'baseline', comparison.patched.interrupted && 'patched'].filter(Boolean).join(' and ');
      lines.push(this.paint('yellow', `The ${which} run was interrupted: runs it never finished are missing from this comparison.`));
    }
    if (counts.inconclusive > 0) {
      const compared = comparedCount(comparison);
      const text =
        compared === 0
          ? 'Nothing could be compared: every pair hit an ERROR or was not run on a side. Fix the machine and run again.'
          : `${counts.inconclusive} inconclusive: an infrastructure ERROR hid the kernel's behaviour there; "no regression" does not cover ${counts.inconclusive === 1 ? 'it' : 'them'}.`;
      lines.push(this.paint('yellow', this.paint('bold', text)));
    }
    lines.push(this.summaryLine(comparison));
    return lines;
  }

  private summaryLine(comparison: Comparison): string {
    const order: Verdict[] = ['regressed', 'fixed', 'still-failing', 'unchanged', 'inconclusive', 'skipped', 'new', 'gone'];
    // Regressions are always named, so "0 regressed" is an explicit all-clear rather than an absence.
    const parts = order
      .filter((v) => v === 'regressed' || comparison.counts[v] > 0)
      .map((v) => {
        const text = `${comparison.counts[v]} ${SUMMARY_WORD[v]}`;
        return comparison.counts[v] > 0 ? this.paint(VERDICT_COLOUR[v], text) : text;
      });
    return parts.join(', ');
  }

  private paint(style: Style, text: string): string {
    return this.color ? `\x1b[${SGR[style]}m${text}\x1b[0m` : text;
  }
}

function describeSide(side: ComparedSummary): [string, string, string, string] {
  const releases = side.kernels.length ? side.kernels.join(', ') : side.kernelReleases.length ? side.kernelReleases.join(', ') : 'kernel release unknown';
  const total = Object.values(side.counts).reduce((a, b) => a + b, 0);
  return [releases, `${total} run${total === 1 ? '' : 's'}`, formatMs(side.durationMs), side.artifactsDir];
}

function headline(failure: FailureSnapshot): string {
  return printable(`${failure.code}: ${firstLine(failure.message)}`);
}

/** `step 3 "title" — F_CODE: message` on one line; the file is the run's own, named once in its heading. */
function oneLine(failure: FailureSnapshot | undefined): string {
  if (!failure) return '(no failure recorded)';
  const where = failure.stepIndex === undefined ? failure.where : `step ${failure.stepIndex + 1} "${failure.stepTitle}"`;
  return `${printable(where)} — ${headline(failure)}`;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

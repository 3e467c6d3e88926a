// The one reporter factory of `pilot run` and `pilot compare`: console, JUnit, JSON and HTML always, KCIDB when asked for.
import { createConsoleReporter } from '../report/console.ts';
import { createHtmlReporter } from '../report/html/reporter.ts';
import { createJsonReporter } from '../report/json.ts';
import { createJunitReporter } from '../report/junit.ts';
import { kcidbKernelOf, kcidbKernelOfPushed } from '../report/kcidb/kernel.ts';
import { createKcidbReporter } from '../report/kcidb/reporter.ts';
import { createReporterMux } from '../report/multiplexer.ts';
import type { Reporter } from '../report/reporter.ts';
import type { RunPlan } from './plan/planned-run.ts';

export interface ReporterChoice {
  /** --kcidb FILE: also write a KCIDB I/O document there. */
  kcidbFile?: string | undefined;
}

export async function createRunReporter(plan: RunPlan, choice: ReporterChoice = {}): Promise<Required<Reporter>> {
  const reporters: Reporter[] = [createConsoleReporter(), createJunitReporter(), createJsonReporter(), createHtmlReporter()];
  if (choice.kcidbFile !== undefined) reporters.push(createKcidbReporter(choice.kcidbFile, { kernel: await kcidbKernelFor(plan) }));
  return createReporterMux(reporters);
}

/** KCIDB describes the kernel the steps ran on: the one pushed when the command line names one, else the image's. */
async function kcidbKernelFor(plan: RunPlan) {
  const pushed = plan.kernel.request ? plan.runs.find((run) => run.deploy)?.deploy?.kernel : undefined;
  return pushed ? kcidbKernelOfPushed(pushed) : kcidbKernelOf(plan.images.kernel);
}

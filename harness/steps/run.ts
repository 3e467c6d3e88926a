// run: executes a shell command on the target and asserts on its exit status and output.
import { z } from 'zod';
import { AssertionFailure, InfraError, isPilotError } from '../core/errors.ts';
import type { ExecResult } from '../guest/guest.ts';
import { duration, oneOrMany, regexSource, textPattern } from '../config/fields.ts';
import { outputTail } from './evidence.ts';
import { clip, defineStepKind, type StepContext } from './step.ts';
import { literalMatcher, regexMatcher, textPatternMatcher } from '../config/text-pattern.ts';

const outputChecks = z.strictObject({
  contains: oneOrMany(z.string().min(1)).optional().describe('The output must contain each of these texts.'),
  matches: oneOrMany(regexSource).optional().describe('The output must match each of these regular expressions (m flag: ^ and $ match at lines).'),
  absent: oneOrMany(textPattern).optional().describe('The output must neither contain nor match any of these (text or regex).'),
});

const commandOptions = z.strictObject({
  command: z.string().min(1).describe('Shell command run on the target.'),
  exit: z.int().min(0).max(255).default(0).describe('Expected exit status.'),
  stdout: outputChecks.optional().describe('Checks on standard output.'),
  stderr: outputChecks.optional().describe('Checks on standard error.'),
  timeout: duration.optional().describe('Kill the command after this long (an infrastructure error).'),
});

const schema = z
  .union([z.string().min(1).describe('Shell command run on the target; must exit 0.'), commandOptions])
  .transform((value) => (typeof value === 'string' ? { command: value, exit: 0 } : value));

type Spec = z.output<typeof schema>;
type OutputChecks = z.output<typeof outputChecks>;

export const run = defineStepKind<Spec>({
  name: 'run',
  description: 'Runs a shell command on the target and checks its exit status and output.',
  schema,
  title: (spec) => `run: ${clip(spec.command, 50)}`,
  async run(spec, context) {
    const left = Math.max(0, context.deadline - Date.now());
    const timeoutMs = spec.timeout === undefined ? left : Math.min(spec.timeout, left);
    let result: ExecResult;
    try {
      result = await context.guest.exec(spec.command, { timeoutMs, signal: context.signal });
    } catch (error) {
      if (isPilotError(error)) throw error;
      throw new InfraError('E_RUN', `running '${clip(spec.command)}' failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    // The whole of each stream is kept in the artifacts; failures quote the tail and name the file.
    const kept = { stdout: await keepStream(context, 'stdout', result.stdout), stderr: await keepStream(context, 'stderr', result.stderr) };
    const tails = () => [...outputTail('stdout', result.stdout, undefined, kept.stdout), ...outputTail('stderr', result.stderr, undefined, kept.stderr)];
    if (result.code === null) {
      if (result.signal) {
        throw new AssertionFailure('F_RUN_SIGNAL', `'${clip(spec.command)}' was killed by ${result.signal}`, { evidence: tails() });
      }
      throw new InfraError('E_RUN_NO_STATUS', `'${clip(spec.command)}' ended without an exit status (the session closed?)`, { evidence: tails() });
    }
    if (result.code !== spec.exit) {
      throw new AssertionFailure('F_RUN_EXIT', `'${clip(spec.command)}' exited with ${result.code}, expected ${spec.exit}`, { evidence: tails() });
    }
    context.note(`'${clip(spec.command)}' exited with ${result.code}`);
    const problems = [...checkOutput('stdout', result.stdout, spec.stdout), ...checkOutput('stderr', result.stderr, spec.stderr)];
    if (problems.length) throw new AssertionFailure('F_RUN_OUTPUT', problems.join('; '), { evidence: tails() });
    for (const stream of ['stdout', 'stderr'] as const) {
      const checks = spec[stream];
      if (checks) context.note(`${stream} of '${clip(spec.command)}' passed ${countChecks(checks)} check(s)`);
    }
  },
});

async function keepStream(context: StepContext, stream: 'stdout' | 'stderr', text: string): Promise<string | undefined> {
  if (text === '') return undefined;
  return context.keepFile(stream, text).catch(() => undefined);
}

function checkOutput(stream: string, text: string, checks: OutputChecks | undefined): string[] {
  if (!checks) return [];
  const problems: string[] = [];
  for (const wanted of checks.contains ?? []) {
    if (!literalMatcher(wanted).test(text)) problems.push(`${stream} does not contain "${wanted}"`);
  }
  for (const source of checks.matches ?? []) {
    if (!regexMatcher(source, 'm').test(text)) problems.push(`${stream} does not match /${source}/`);
  }
  for (const pattern of checks.absent ?? []) {
    if (textPatternMatcher(pattern).test(text)) problems.push(`${stream} contains "${pattern}", expected it absent`);
  }
  return problems;
}

function countChecks(checks: OutputChecks): number {
  return (checks.contains?.length ?? 0) + (checks.matches?.length ?? 0) + (checks.absent?.length ?? 0);
}

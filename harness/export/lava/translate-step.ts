// Each pilot step kind as a shell check run in the guest: exit status 0 when pilot would pass the step.
// A step that cannot be checked faithfully comes back with the reason instead, and is reported as a LAVA skip.
import type { Profile } from '../../model/profile.ts';
import type { LoadedStep } from '../../scenario/load.ts';
import { IRIS_BOOTED_LINES, IRIS_FAILURE_LINES, IRIS_NODE_NAMES } from '../../steps/iris.ts';
import { RPROC_CRASH_TYPES } from '../../steps/rproc.ts';
import { REMOTEPROC_DEBUGFS, strerrorOf } from '../../guest/rproc-sysfs.ts';
import { literalEre, regexEre, textPatternEre, type EreResult } from './ere.ts';
import { sq, WINDOW_FILE, WORK_DIR } from './shell.ts';

export type StepCheck = { check: string; changesState: boolean } | { untranslatable: string; changesState: boolean };

interface Where {
  /** This step's marker number, e.g. '03'. */
  step: string;
  /** The previous step's marker number (this step's for the first). */
  previous: string;
  profile: Profile;
}

class Untranslatable extends Error {}

export function translateStep(step: LoadedStep, where: Where): StepCheck {
  const changesState = step.kind === 'rproc' || step.kind === 'iris' || step.kind === 'run';
  try {
    const check = checkOf(step, where);
    return { check, changesState };
  } catch (error) {
    if (error instanceof Untranslatable) return { untranslatable: error.message, changesState };
    throw error;
  }
}

function checkOf(step: LoadedStep, where: Where): string {
  switch (step.kind) {
    case 'expect-el':
      return expectEl(step.spec as 1 | 2 | 'profile', where);
    case 'expect-dmesg':
      return expectDmesg(step.spec as DmesgSpec, where);
    case 'run':
      return run(step.spec as RunSpec);
    case 'expect-rproc':
      return expectRproc(step.spec as RprocExpectSpec, where);
    case 'rproc':
      return rproc(step.spec as RprocSpec);
    case 'iris':
      return iris(step.spec as IrisSpec, where);
    default:
      throw new Untranslatable(`pilot has no LAVA translation for step kind ${step.kind}`);
  }
}

function ere(result: EreResult): { ere: string; ignoreCase: boolean } {
  if ('problem' in result) throw new Untranslatable(result.problem);
  return result;
}

function grep(flags: string, result: { ere: string; ignoreCase: boolean }, file: string): string {
  return `grep -${flags}E${result.ignoreCase ? 'i' : ''} -e ${sq(result.ere)} ${file}`;
}

function windowFrom(since: 'step' | 'previous' | 'boot', where: Where): string {
  return since === 'boot' ? 'boot' : since === 'previous' ? where.previous : where.step;
}

function withinTries(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 1000)) + 1;
}

function retried(check: string, ms: number | undefined): string {
  const tries = withinTries(ms);
  return tries === undefined ? check : `pilot_retry ${tries} ${sq(check)}`;
}

function expectEl(spec: 1 | 2 | 'profile', where: Where): string {
  const el = spec === 'profile' ? where.profile.el : spec;
  return `pilot_window boot | ${grep('q', { ere: literalEre(`CPU: All CPU(s) started at EL${el}`), ignoreCase: false }, '')}`.trimEnd();
}

interface DmesgSpec {
  contains?: string[];
  absent?: string[];
  matches?: string[];
  count?: { pattern: string; min?: number; max?: number; equals?: number };
  'in-order'?: string[];
  within?: number;
  since: 'step' | 'previous' | 'boot';
}

function expectDmesg(spec: DmesgSpec, where: Where): string {
  const file = WINDOW_FILE;
  const parts = [`pilot_window ${windowFrom(spec.since, where)} > ${file}`];
  for (const text of spec.contains ?? []) parts.push(`grep -qF -e ${sq(text)} ${file}`);
  for (const source of spec.matches ?? []) parts.push(grep('q', ere(regexEre(source)), file));
  const inOrder = spec['in-order'];
  if (inOrder) {
    const eres = inOrder.map((pattern) => ere(textPatternEre(pattern)));
    if (eres.some((item) => item.ignoreCase)) throw new Untranslatable('in-order with a case-insensitive /regex/i');
    parts.push(`pilot_in_order ${file} ${eres.map((item) => sq(item.ere)).join(' ')}`);
  }
  for (const pattern of spec.absent ?? []) parts.push(`! ${grep('q', ere(textPatternEre(pattern)), file)}`);
  if (spec.count) {
    const n = `"$(${grep('c', ere(textPatternEre(spec.count.pattern)), file)})"`;
    if (spec.count.equals !== undefined) parts.push(`[ ${n} -eq ${spec.count.equals} ]`);
    if (spec.count.min !== undefined) parts.push(`[ ${n} -ge ${spec.count.min} ]`);
    if (spec.count.max !== undefined) parts.push(`[ ${n} -le ${spec.count.max} ]`);
  }
  return retried(parts.join(' && '), spec.within);
}

interface OutputChecks {
  contains?: string[];
  matches?: string[];
  absent?: string[];
}
interface RunSpec {
  command: string;
  exit: number;
  stdout?: OutputChecks;
  stderr?: OutputChecks;
}

function run(spec: RunSpec): string {
  const out = `${WORK_DIR}/stdout`;
  const err = `${WORK_DIR}/stderr`;
  const parts = [`{ sh -c ${sq(spec.command)} > ${out} 2> ${err}; s=$?; cat ${out} ${err}; echo "exit status $s"; [ $s -eq ${spec.exit} ]; }`];
  for (const [checks, file] of [
    [spec.stdout, out],
    [spec.stderr, err],
  ] as const) {
    for (const text of checks?.contains ?? []) {
      if (text.includes('\n')) throw new Untranslatable('a contains text spanning lines');
      parts.push(`grep -qF -e ${sq(text)} ${file}`);
    }
    // pilot matches output with the m flag, so ^ and $ are line anchors, as grep's are.
    for (const source of checks?.matches ?? []) parts.push(grep('q', ere(regexEre(source)), file));
    for (const pattern of checks?.absent ?? []) parts.push(`! ${grep('q', ere(textPatternEre(pattern)), file)}`);
  }
  return parts.join(' && ');
}

interface RprocExpectSpec {
  processors: Array<{
    name: string;
    state?: string;
    firmware?: string;
    crashes?: { count: number; since: 'boot' | 'previous' | 'step' };
    recovery?: string;
  }>;
  within?: number;
}

function expectRproc(spec: RprocExpectSpec, where: Where): string {
  const parts: string[] = [];
  spec.processors.forEach((processor, index) => {
    const d = `d${index}`;
    parts.push(`${d}=$(pilot_rproc ${sq(processor.name)})`);
    const attribute = (file: string, value: string) => parts.push(`[ "$(cat "$${d}/${file}")" = ${sq(value)} ]`);
    if (processor.state !== undefined) attribute('state', processor.state);
    if (processor.firmware !== undefined) attribute('firmware', processor.firmware);
    if (processor.recovery !== undefined) attribute('recovery', processor.recovery);
    if (processor.crashes !== undefined) {
      // rproc_report_crash() logs `crash detected in <name>: type …` once per crash.
      const from = windowFrom(processor.crashes.since, where);
      parts.push(`[ "$(pilot_window ${from} | grep -cF -e ${sq(`crash detected in ${processor.name}: type `)})" -eq ${processor.crashes.count} ]`);
    }
  });
  return retried(parts.join(' && '), spec.within);
}

interface RprocSpec {
  name: string;
  do?: 'start' | 'stop' | 'crash' | 'recover';
  type?: keyof typeof RPROC_CRASH_TYPES;
  firmware?: string;
  recovery?: 'enabled' | 'disabled';
  'expect-errno'?: string;
}

function rproc(spec: RprocSpec): string {
  const errno = spec['expect-errno'];
  const message = errno === undefined ? '' : strerrorOf(errno);
  if (message === undefined) throw new Untranslatable(`${errno} is kernel-internal: busybox prints it as a number this export does not map`);
  const [value, path] =
    spec.firmware !== undefined
      ? [spec.firmware, '"$d/firmware"']
      : spec.recovery !== undefined
        ? [spec.recovery, '"$d/recovery"']
        : spec.do === 'crash'
          ? [String(RPROC_CRASH_TYPES[spec.type ?? 'watchdog']), `"${REMOTEPROC_DEBUGFS}/\${d##*/}/crash"`]
          : spec.do === 'recover'
            ? ['recover', '"$d/recovery"']
            : [spec.do!, '"$d/state"'];
  return `d=$(pilot_rproc ${sq(spec.name)}) && pilot_write ${sq(value)} ${path} ${sq(message)}`;
}

interface IrisSpec {
  open: keyof typeof IRIS_NODE_NAMES;
  expect: 'booted' | 'fails';
  'expect-errno'?: string;
  'booted-lines'?: string[];
}

function iris(spec: IrisSpec, where: Where): string {
  const file = WINDOW_FILE;
  const node = `v=$(pilot_video ${sq(IRIS_NODE_NAMES[spec.open])})`;
  const failures = alternation(IRIS_FAILURE_LINES);
  if (spec.expect === 'booted') {
    const booted = spec['booted-lines'] ?? [...IRIS_BOOTED_LINES];
    const parts = [node, '( : 3<"$v" )', `pilot_window ${where.step} > ${file}`, `! ${grep('q', failures, file)}`];
    if (booted.length) parts.push(`pilot_window boot | ${grep('q', alternation(booted), '')}`.trimEnd());
    return parts.join(' && ');
  }
  const errno = spec['expect-errno'];
  const message = errno === undefined ? undefined : strerrorOf(errno);
  if (errno !== undefined && message === undefined) throw new Untranslatable(`${errno} is kernel-internal: busybox prints it as a number this export does not map`);
  // ash reports a failed open as "sh: can't open <path>: <strerror>".
  const parts = [node, '! out=$( ( : 3<"$v" ) 2>&1 )', 'echo "open $v: $out"', `pilot_window ${where.step} > ${file}`, grep('q', failures, file)];
  if (message !== undefined) parts.push(`case "$out" in *${sq(`: ${message}`)}) true;; *) false;; esac`);
  return parts.join(' && ');
}

function alternation(patterns: ReadonlyArray<string>): { ere: string; ignoreCase: boolean } {
  const eres = patterns.map((pattern) => ere(textPatternEre(pattern)));
  if (eres.some((item) => item.ignoreCase)) throw new Untranslatable('a case-insensitive /regex/i among Iris lines');
  return { ere: eres.map((item) => `(${item.ere})`).join('|'), ignoreCase: false };
}

// The tz log as steps read it: the channel a step needs, its window of lines, waits confined to that window, and lines quoted as evidence.
import { InputError } from '../core/errors.ts';
import type { TrustZoneChannel } from '../model/trust-zone.ts';
import { RECORDS_QUOTED } from './evidence.ts';
import type { StepContext } from './step.ts';

export interface TzWindow {
  /** Index into lines() where the window begins. */
  from: number;
  label: string;
}

export interface TzHit {
  line: string;
  index: number;
}

/** The channel, or an INPUT error: only machines running pilot's EL3 firmware have one, and the scenario chose the machine. */
export function requireTrustZone(context: StepContext, kind: string): TrustZoneChannel {
  if (context.trustZone) return context.trustZone;
  throw new InputError('E_TZ_UNAVAILABLE', `${kind} reads or drives TrustZone, and this machine has no EL3 firmware (no tz log, no host channel)`, {
    hint: 'run the scenario with `soc: real`: the simulated SoC and lab boards have no pilot EL3 firmware on a secure UART',
  });
}

export function tzWindowOf(since: 'step' | 'previous' | 'boot', context: StepContext): TzWindow {
  if (since === 'boot') return { from: 0, label: 'since boot' };
  if (since === 'previous') return { from: context.previousTzWindowStart, label: 'since the previous step began' };
  return { from: context.tzWindowStart, label: 'since the step began' };
}

export function findTzLine(lines: ReadonlyArray<string>, test: (line: string) => boolean, from: number): TzHit | undefined {
  for (let index = Math.max(0, from); index < lines.length; index++) if (test(lines[index]!)) return { line: lines[index]!, index };
  return undefined;
}

/**
 * The first line at index >= `from` that passes `test`, waiting for it until `deadline`. The channel's waitForLine
 * looks at already-logged lines first, each once, and knows no window; every matching line logged now lies before
 * `from` (none at or after it matched), so exactly that many matching calls are old lines and are passed over.
 */
export async function waitForTzLine(
  channel: TrustZoneChannel,
  test: (line: string) => boolean,
  from: number,
  deadline: number,
  signal: AbortSignal,
): Promise<TzHit | undefined> {
  const now = channel.lines();
  const hit = findTzLine(now, test, from);
  if (hit || Date.now() >= deadline) return hit;
  let oldMatches = now.filter(test).length;
  const line = await channel.waitForLine(
    (candidate) => {
      if (!test(candidate)) return false;
      if (oldMatches === 0) return true;
      oldMatches--;
      return false;
    },
    deadline,
    signal,
  );
  if (line === undefined) return undefined;
  return findTzLine(channel.lines(), test, Math.max(from, now.length)) ?? { line, index: channel.lines().lastIndexOf(line) };
}

/** The last lines of a window, or a note that there were none, so "line missing" failures show what TrustZone did instead. */
export function lastTzLines(lines: ReadonlyArray<string>, count = RECORDS_QUOTED): string[] {
  if (lines.length === 0) return ['(no tz log lines in this window)'];
  const shown = lines.slice(-count);
  return lines.length > count ? [`(last ${count} of ${lines.length} lines)`, ...shown] : [...shown];
}

export function quoteTzLines(lines: ReadonlyArray<string>, max = RECORDS_QUOTED): string[] {
  const shown = lines.slice(0, max);
  return lines.length > max ? [...shown, `(${lines.length - max} more)`] : [...shown];
}

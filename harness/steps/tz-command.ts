// Sends one command on the EL3 firmware's host channel and waits for its one answer, for the steps that drive TrustZone.
import { InfraError } from '../core/errors.ts';
import { formatMs } from '../core/wait.ts';
import type { TrustZoneChannel } from '../model/trust-zone.ts';
import type { StepContext } from './step.ts';
import { lastTzLines, waitForTzLine } from './tz-log.ts';
import { hostAnswer } from './tz-lines.ts';

/** The firmware polls its UART from a 100 Hz tick; this much covers a TCG guest on a loaded host many times over. */
export const ANSWER_LIMIT_MS = 10_000;

export type TzAnswer = { ok: true; line: string } | { ok: false; reason: string; line: string };

/** The firmware's answer to `command`, ok or not; no answer by the limit (or the step's deadline) is an ERROR quoting what it logged. */
export async function sendTzCommand(channel: TrustZoneChannel, command: string, context: StepContext): Promise<TzAnswer> {
  // Answers are matched from here on, so an earlier identical command's answer is not taken for this one's.
  const from = channel.lines().length;
  await channel.send(command);
  const sent = Date.now();
  const answerBy = Math.min(sent + ANSWER_LIMIT_MS, context.deadline);
  const hit = await waitForTzLine(channel, (line) => hostAnswer(line, command) !== undefined, from, answerBy, context.signal);
  if (!hit) {
    const lines = channel.lines();
    const panic = lines.find((line) => line.startsWith('tz: panic'));
    throw new InfraError('E_TZ_NO_ACK', `the EL3 firmware did not answer "${command}" within ${formatMs(answerBy - sent)}`, {
      evidence: ['tz lines since the command was sent:', ...lastTzLines(lines.slice(from))],
      hint: panic ? `the firmware panicked: ${panic}` : 'is the secure serial connected to the host channel, and the firmware alive (see tz.log)?',
    });
  }
  const answer = hostAnswer(hit.line, command)!;
  return answer.ok ? { ok: true, line: hit.line } : { ok: false, reason: answer.reason, line: hit.line };
}

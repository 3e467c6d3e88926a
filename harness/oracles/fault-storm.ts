// The fault-storm rule: a step during which the SMMU reports more than `max` faults fails at once (F_FAULT_STORM),
// with the count and the first fault lines, instead of waiting out its timeout while the log floods.
import { AssertionFailure } from '../core/errors.ts';
import { formatMs } from '../core/wait.ts';
import { formatKmsg, type KernelLog, type KmsgRecord } from '../guest/guest.ts';
import type { FaultStormRule } from '../scenario/fault-storm-setting.ts';

const QUOTED_LINES = 12;

export class FaultCounter {
  printed = 0;
  suppressed = 0;
  /** Fault records, their detail lines and rate-limit lines, from the first fault on, as quoted in the failure. */
  readonly firstLines: KmsgRecord[] = [];
  readonly #fault: RegExp;
  readonly #suppressed: RegExp | undefined;
  #lastSeq = -Infinity;
  #inDump = false;

  constructor(readonly rule: FaultStormRule) {
    this.#fault = new RegExp(rule.pattern);
    this.#suppressed = rule.suppressed === undefined ? undefined : new RegExp(rule.suppressed);
  }

  get total(): number {
    return this.printed + this.suppressed;
  }

  get exceeded(): boolean {
    return this.total > this.rule.max;
  }

  add(record: KmsgRecord): void {
    // Only the kernel's own records count (user space may write to /dev/kmsg), each once.
    if (record.facility !== 0 || record.seq <= this.#lastSeq) return;
    this.#lastSeq = record.seq;
    if (this.#fault.test(record.text)) {
      this.printed++;
      this.#inDump = true;
      this.#quote(record);
      return;
    }
    const dropped = this.#suppressed?.exec(record.text);
    if (dropped) {
      this.#inDump = false;
      // The line reports the interval before it; only once this window printed a fault of its own were they its faults.
      if (this.printed === 0) return;
      this.suppressed += Number(dropped[1]) || 0;
      this.#quote(record);
      return;
    }
    if (this.#inDump && /:\s+0x[0-9a-f]+$/.test(record.text)) this.#quote(record);
    else this.#inDump = false;
  }

  #quote(record: KmsgRecord): void {
    if (this.firstLines.length < QUOTED_LINES) this.firstLines.push(record);
  }
}

/** F_FAULT_STORM for a counter past its limit. */
export function faultStormFailure(counter: FaultCounter, where: string, afterMs?: number): AssertionFailure {
  const { rule } = counter;
  const breakdown = counter.suppressed > 0 ? ` (${counter.printed} printed, ${counter.suppressed} more suppressed by the kernel's rate limit)` : '';
  const when = afterMs === undefined ? '' : `; stopped after ${formatMs(afterMs)}`;
  return new AssertionFailure(
    'F_FAULT_STORM',
    `SMMU fault storm ${where}: ${counter.total} faults${breakdown} matching /${rule.pattern}/, more than the fault-storm limit of ${rule.max}${when}`,
    {
      evidence: ['first fault lines:', ...counter.firstLines.map(formatKmsg)],
      hint: 'a step that is meant to cause SMMU faults (e.g. the missing-mapping regression) takes `fault-storm: off` or a higher max, and asserts on the faults with expect-dmesg',
    },
  );
}

/** Counts the faults in a finished window; the failure when there were too many. */
export function checkFaultStorm(records: ReadonlyArray<KmsgRecord>, rule: FaultStormRule, where: string): AssertionFailure | undefined {
  const counter = new FaultCounter(rule);
  for (const record of records) counter.add(record);
  return counter.exceeded ? faultStormFailure(counter, where) : undefined;
}

export interface FaultStormWatch {
  /** Rejects with the F_FAULT_STORM failure as soon as the count passes the limit; never resolves. Race the step against it. */
  readonly tripped: Promise<never>;
  /** The failure, once tripped. */
  readonly failure: AssertionFailure | undefined;
  /** Faults counted so far. */
  count(): number;
  /** Stops listening to the log. */
  stop(): void;
}

/** Counts faults in records with seq >= fromSeq as they arrive, starting with those already received. */
export function watchFaultStorm(log: KernelLog, fromSeq: number, rule: FaultStormRule, where: string): FaultStormWatch {
  const counter = new FaultCounter(rule);
  const started = Date.now();
  let failure: AssertionFailure | undefined;
  let trip: (error: AssertionFailure) => void = () => {};
  const tripped = new Promise<never>((_, reject) => {
    trip = reject;
  });
  // Nobody may race against it when it trips between steps; that must not be an unhandled rejection.
  tripped.catch(() => {});
  const take = (record: KmsgRecord) => {
    if (failure || record.seq < fromSeq) return;
    counter.add(record);
    if (!counter.exceeded) return;
    failure = faultStormFailure(counter, where, Date.now() - started);
    trip(failure);
  };
  for (const record of log.since(fromSeq)) take(record);
  const unsubscribe = log.subscribe(take);
  return {
    tripped,
    get failure() {
      return failure;
    },
    count: () => counter.total,
    stop: () => {
      unsubscribe();
    },
  };
}

// Every step kind a scenario may use; adding a kind is adding its file and one line here.
import { expectDmesg } from './expect-dmesg.ts';
import { expectEl } from './expect-el.ts';
import { expectRproc } from './expect-rproc.ts';
import { expectTz } from './expect-tz.ts';
import { iris } from './iris.ts';
import { remoteFault } from './remote-fault.ts';
import { rproc } from './rproc.ts';
import { run } from './run.ts';
import { tzRule } from './tz-rule.ts';
import type { AnyStepKind } from './step.ts';

export const STEP_KINDS: ReadonlyArray<AnyStepKind> = [expectDmesg, expectEl, run, expectRproc, rproc, iris, expectTz, remoteFault, tzRule];

export function findStepKind(name: string, kinds: ReadonlyArray<AnyStepKind> = STEP_KINDS): AnyStepKind | undefined {
  return kinds.find((kind) => kind.name === name);
}

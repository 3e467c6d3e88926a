import { afterEach, describe, expect, it } from 'vitest';
import { AssertionFailure } from '../../harness/core/errors.ts';
import { checkFaultStorm, FaultCounter, watchFaultStorm } from '../../harness/oracles/fault-storm.ts';
import {
  DEFAULT_FAULT_PATTERN,
  DEFAULT_FAULT_STORM_MAX,
  DEFAULT_SUPPRESSED_PATTERN,
  faultStormSetting,
  resolveFaultStormRule,
} from '../../harness/scenario/fault-storm-setting.ts';
import { FakeKernelLog } from '../fakes/fake-guest.ts';
import { faultDump } from '../fakes/fake-soc.ts';
import { kernelRecord } from '../fakes/kmsg.ts';

const DEFAULT_RULE = { max: DEFAULT_FAULT_STORM_MAX, pattern: DEFAULT_FAULT_PATTERN, suppressed: DEFAULT_SUPPRESSED_PATTERN };
const logs: FakeKernelLog[] = [];
afterEach(() => {
  for (const log of logs.splice(0)) log.dispose();
});

describe('resolveFaultStormRule', () => {
  it('is on with the defaults unless a scenario or step says otherwise', () => {
    expect(resolveFaultStormRule(undefined, undefined)).toEqual(DEFAULT_RULE);
    expect(resolveFaultStormRule('off', undefined)).toBeUndefined();
    expect(resolveFaultStormRule(undefined, 'off')).toBeUndefined();
    expect(resolveFaultStormRule({ max: 50 }, 'off')).toBeUndefined();
  });

  it('lets a step raise the limit or switch the rule back on, taking the rest from the scenario', () => {
    expect(resolveFaultStormRule({ max: 50 }, undefined)).toEqual({ ...DEFAULT_RULE, max: 50 });
    expect(resolveFaultStormRule({ max: 50 }, { max: 200 })).toEqual({ ...DEFAULT_RULE, max: 200 });
    expect(resolveFaultStormRule('off', { max: 5 })).toEqual({ ...DEFAULT_RULE, max: 5 });
    // a pattern of one's own comes without the arm-smmu-v3 rate-limit line, unless it names one
    expect(resolveFaultStormRule({ pattern: 'Unhandled context fault' }, { max: 3 })).toEqual({ max: 3, pattern: 'Unhandled context fault', suppressed: undefined });
  });

  it('schema: off or a non-empty mapping', () => {
    expect(faultStormSetting.parse('off')).toBe('off');
    expect(faultStormSetting.parse({ max: 0 })).toEqual({ max: 0 });
    expect(faultStormSetting.safeParse({}).success).toBe(false);
    expect(faultStormSetting.safeParse('on').success).toBe(false);
    expect(faultStormSetting.safeParse({ max: 1.5 }).success).toBe(false);
    expect(faultStormSetting.safeParse({ suppressed: 'callbacks suppressed' }).success).toBe(false);
    expect(faultStormSetting.safeParse({ suppressed: '(\\d+) dropped' }).success).toBe(true);
    expect(faultStormSetting.safeParse({ pattern: '(' }).success).toBe(false);
  });
});

describe('FaultCounter', () => {
  it('counts event headers from the kernel, adds what the rate limit suppressed, and keeps the first lines of the storm', () => {
    const log = new FakeKernelLog();
    logs.push(log);
    log.log(
      'virtio_net virtio0 eth0: link up',
      ...faultDump(0),
      'remoteproc remoteproc0: powering up adsp',
      ...faultDump(1),
      'arm_smmu_evtq_thread: 57 callbacks suppressed',
      kernelRecord('arm-smmu-v3 9050000.smmuv3: event 0x10 received:', { facility: 1 }),
    );
    const counter = new FaultCounter(DEFAULT_RULE);
    for (const record of log.records) counter.add(record);
    // a record seen twice counts once
    counter.add(log.records[1]!);
    expect([counter.printed, counter.suppressed, counter.total]).toEqual([2, 57, 59]);
    expect(counter.firstLines.map((record) => record.text)).toEqual([...faultDump(0), ...faultDump(1), 'arm_smmu_evtq_thread: 57 callbacks suppressed']);
  });

  it('leaves a suppressed count to the earlier storm it reports on until the window printed a fault of its own', () => {
    const log = new FakeKernelLog();
    logs.push(log);
    // as measured: the first fault of a new start brings the count of the previous interval's dropped ones with it
    log.log('arm_smmu_evtq_thread: 246 callbacks suppressed', ...faultDump(0), ...faultDump(1), 'arm_smmu_evtq_thread: 30 callbacks suppressed');
    const counter = new FaultCounter(DEFAULT_RULE);
    for (const record of log.records) counter.add(record);
    expect([counter.printed, counter.suppressed]).toEqual([2, 30]);
    expect(counter.firstLines[0]!.text).toBe(faultDump(0)[0]);
  });

  it('checkFaultStorm: more than max fails with the count and the first lines; max itself passes', () => {
    const log = new FakeKernelLog();
    logs.push(log);
    for (let i = 0; i < 3; i++) log.log(...faultDump(i));
    expect(checkFaultStorm(log.records, { ...DEFAULT_RULE, max: 3 }, 'during step 2')).toBeUndefined();
    const failure = checkFaultStorm(log.records, { ...DEFAULT_RULE, max: 2 }, 'during step 2');
    expect(failure).toBeInstanceOf(AssertionFailure);
    expect(failure!.code).toBe('F_FAULT_STORM');
    expect(failure!.message).toBe(`SMMU fault storm during step 2: 3 faults matching /${DEFAULT_FAULT_PATTERN}/, more than the fault-storm limit of 2`);
    expect(failure!.evidence[0]).toBe('first fault lines:');
    expect(failure!.evidence.slice(1, 3)).toEqual([
      expect.stringMatching(/\] arm-smmu-v3 9050000\.smmuv3: event 0x10 received:$/),
      expect.stringMatching(/\] arm-smmu-v3 9050000\.smmuv3: \t0x0000008000000010$/),
    ]);
    expect(failure!.evidence).toHaveLength(13);
    expect(failure!.hint).toMatch(/fault-storm: off/);
  });
});

describe('watchFaultStorm', () => {
  it('trips as the faults arrive, counting those already received, and stops listening on stop()', async () => {
    const log = new FakeKernelLog(['boot line', ...faultDump(99)]);
    logs.push(log);
    const fromSeq = log.nextSeq();
    log.log(...faultDump(0));
    const watch = watchFaultStorm(log, fromSeq, { ...DEFAULT_RULE, max: 3 }, 'during step 1');
    expect(watch.count()).toBe(1);
    for (let i = 1; i <= 5; i++) log.logAfter(i * 20, ...faultDump(i));
    const started = Date.now();
    const failure = await watch.tripped.catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(500);
    expect(failure).toBe(watch.failure);
    expect(watch.failure!.message).toMatch(/^SMMU fault storm during step 1: 4 faults .*, more than the fault-storm limit of 3; stopped after \d+ ms$/);
    watch.stop();
    expect(log.listenerCount).toBe(0);
  });

  it('never trips below the limit', async () => {
    const log = new FakeKernelLog();
    logs.push(log);
    const watch = watchFaultStorm(log, 0, { ...DEFAULT_RULE, max: 20 }, 'during step 1');
    for (let i = 0; i < 20; i++) log.log(...faultDump(i));
    const outcome = await Promise.race([watch.tripped.then(() => 'tripped', () => 'tripped'), new Promise((resolve) => setTimeout(() => resolve('quiet'), 50))]);
    expect(outcome).toBe('quiet');
    expect(watch.count()).toBe(20);
    watch.stop();
  });
});

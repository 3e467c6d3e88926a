// Matching failing runs to known issues: by scenario, profile and a dmesg regex; expiry flags the entry and makes the failure new.
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor } from '../../harness/cli/exit-codes.ts';
import { applyKnownIssues, describeExpired, expiredKnownIssues, isNewFailure, matchKnownIssue, todayUtc } from '../../harness/known-issues/match.ts';
import type { KnownIssue } from '../../harness/config/known-issue-schema.ts';
import type { RunResult } from '../../harness/model/results.ts';
import { errorRun, failRun, passRun } from '../report/fixtures.ts';

const smmuIssue: KnownIssue = {
  scenario: 'adsp',
  profiles: ['kvm-el2'],
  dmesg: 'arm-smmu-v3 .*: event 0x10 received',
  link: 'https://bugs.example.org/4711',
  expires: '2026-12-31',
  reason: 'mapping patch pending',
  source: 'known-issues.yaml:2:5',
};

describe('matchKnownIssue', () => {
  it('matches a failure by scenario, profile and a line of its evidence', () => {
    expect(matchKnownIssue(failRun, [smmuIssue], '2026-11-21')).toEqual({
      link: 'https://bugs.example.org/4711',
      expires: '2026-12-31',
      pattern: 'arm-smmu-v3 .*: event 0x10 received',
      source: 'known-issues.yaml:2:5',
      reason: 'mapping patch pending',
      matched: '[   12.0] arm-smmu-v3 9050000.smmuv3: event 0x10 received #0',
      matchedIn: 'failure',
      expired: false,
    });
  });

  it('does not match another profile, another scenario, a pattern not found, or a passing run', () => {
    expect(matchKnownIssue(failRun, [{ ...smmuIssue, profiles: ['el1', 'xen-el1'] }], '2026-11-21')).toBeUndefined();
    expect(matchKnownIssue(failRun, [{ ...smmuIssue, scenario: 'cdsp' }], '2026-11-21')).toBeUndefined();
    expect(matchKnownIssue(failRun, [{ ...smmuIssue, dmesg: 'event 0x11' }], '2026-11-21')).toBeUndefined();
    expect(matchKnownIssue(passRun, [{ ...smmuIssue, scenario: passRun.scenario, profiles: undefined, dmesg: '.' }], '2026-11-21')).toBeUndefined();
  });

  it("falls back to the run's dmesg.log when the failure's own text does not match", () => {
    const issue = { ...smmuIssue, dmesg: 'qcom-pas-sim .*: adsp carve-out not mapped' };
    const log = '[    1.0] Booting Linux\n[   11.9] qcom-pas-sim 10.adsp: adsp carve-out not mapped\n';
    expect(matchKnownIssue(failRun, [issue], '2026-11-21')).toBeUndefined();
    expect(matchKnownIssue(failRun, [issue], '2026-11-21', log)).toMatchObject({ matchedIn: 'dmesg.log', matched: '[   11.9] qcom-pas-sim 10.adsp: adsp carve-out not mapped' });
  });

  it('holds through its expiry day and is flagged expired the day after', () => {
    expect(matchKnownIssue(failRun, [smmuIssue], '2026-12-31')?.expired).toBe(false);
    expect(matchKnownIssue(failRun, [smmuIssue], '2027-01-01')?.expired).toBe(true);
  });

  it('prefers an unexpired entry to an expired one that also matches', () => {
    const old = { ...smmuIssue, expires: '2025-01-01', link: 'https://bugs.example.org/old' };
    expect(matchKnownIssue(failRun, [old, smmuIssue], '2026-11-21')).toMatchObject({ link: 'https://bugs.example.org/4711', expired: false });
  });

  it('matches errors too: a known infrastructure flake is still a known issue', () => {
    const issue: KnownIssue = { ...smmuIssue, scenario: errorRun.scenario, profiles: [errorRun.profile], dmesg: 'qemu: hardware error: edu' };
    expect(matchKnownIssue(errorRun, [issue], '2026-11-21')).toMatchObject({ matchedIn: 'failure', expired: false });
    // The failure code is not a line the run printed.
    expect(matchKnownIssue(errorRun, [{ ...issue, dmesg: '^E_QEMU_EXIT$' }], '2026-11-21')).toBeUndefined();
  });
});

describe('applyKnownIssues', () => {
  it('marks matching failures without touching their status, and reads dmesg.log only for candidates', async () => {
    const read: string[] = [];
    const runs = await applyKnownIssues([passRun, failRun, errorRun], [smmuIssue], {
      today: '2026-11-21',
      readDmesg: async (run) => {
        read.push(run.id);
        return undefined;
      },
    });
    expect(runs.map((run) => [run.id, run.status, run.known?.link])).toEqual([
      ['boot@el1', 'pass', undefined],
      ['adsp@kvm-el2', 'fail', 'https://bugs.example.org/4711'],
      ['adsp@el1', 'error', undefined],
    ]);
    expect(read).toEqual(['adsp@kvm-el2']);
    expect(failRun.known).toBeUndefined();
  });
});

describe('exit codes with known issues', () => {
  const known = (run: RunResult, expired: boolean): RunResult => ({ ...run, known: { ...matchKnownIssue(failRun, [smmuIssue], '2026-11-21')!, expired } });

  it('does not fail a run whose only failures are known', () => {
    expect(exitCodeFor({ interrupted: false, runs: [passRun, failRun] })).toBe(EXIT.failed);
    expect(exitCodeFor({ interrupted: false, runs: [passRun, known(failRun, false)] })).toBe(EXIT.passed);
    expect(exitCodeFor({ interrupted: false, runs: [passRun, known(failRun, false), errorRun] })).toBe(EXIT.error);
    expect(exitCodeFor({ interrupted: false, runs: [known(errorRun, false), failRun] })).toBe(EXIT.failed);
  });

  it('counts a failure matched only by an expired entry as new', () => {
    expect(isNewFailure(known(failRun, true))).toBe(true);
    expect(exitCodeFor({ interrupted: false, runs: [known(failRun, true)] })).toBe(EXIT.failed);
  });

  it('says interrupted before anything else', () => {
    expect(exitCodeFor({ interrupted: true, runs: [errorRun] })).toBe(EXIT.interrupted);
  });
});

describe('expired entries', () => {
  it('are listed whether they matched or not, with where they are written', () => {
    const old = { ...smmuIssue, expires: '2026-11-20' };
    expect(expiredKnownIssues([smmuIssue, old], '2026-11-21')).toEqual([old]);
    expect(describeExpired(old)).toBe(
      'known-issues.yaml:2:5: known issue for adsp expired on 2026-11-20 (https://bugs.example.org/4711); failures it matched count as new again: fix, extend or remove it',
    );
  });

  it('are judged in UTC', () => {
    expect(todayUtc(new Date('2026-11-21T23:59:59-05:00'))).toBe('2026-11-22');
  });
});

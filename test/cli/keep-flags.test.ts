// --keep-failed, --keep-for and --gdb are checked before anything boots, and a CI job never keeps a machine for long.
import { describe, expect, it } from 'vitest';
import { keepFlag } from '../../harness/cli/keep-flags.ts';
import { CI_KEEP_CAP_MS, DEFAULT_KEEP_MS } from '../../harness/runner/kept-machines.ts';

const noCi = {};
const ci = { CI: 'true' };

describe('keepFlag', () => {
  it('keeps nothing without --keep-failed', () => {
    expect(keepFlag({}, noCi)).toBeUndefined();
    expect(keepFlag({ gdb: true }, noCi)).toBeUndefined();
  });

  it('keeps machines 30 minutes by default, or as long as --keep-for says', () => {
    expect(DEFAULT_KEEP_MS).toBe(30 * 60_000);
    expect(keepFlag({ keepFailed: true }, noCi)).toEqual({ forMs: DEFAULT_KEEP_MS });
    expect(keepFlag({ keepFailed: true, keepFor: '2h' }, noCi)).toEqual({ forMs: 2 * 3_600_000 });
    expect(keepFlag({ keepFailed: true, keepFor: '90s' }, noCi)).toEqual({ forMs: 90_000 });
  });

  it('caps the time in CI at 10 minutes, saying so when --keep-for asked for more', () => {
    const notes: string[] = [];
    expect(keepFlag({ keepFailed: true }, ci, (line) => notes.push(line))).toEqual({ forMs: CI_KEEP_CAP_MS });
    expect(notes).toEqual([]);
    expect(keepFlag({ keepFailed: true, keepFor: '2h' }, ci, (line) => notes.push(line))).toEqual({ forMs: 10 * 60_000 });
    expect(notes).toEqual(['pilot: CI=true: kept machines stay up 10.0 min at most, not the 2h --keep-for asks']);
    expect(keepFlag({ keepFailed: true, keepFor: '3m' }, ci)).toEqual({ forMs: 3 * 60_000 });
  });

  it('refuses --keep-for alone, a bad duration, and --keep-failed or --gdb with a lab board', () => {
    expect(() => keepFlag({ keepFor: '5m' }, noCi)).toThrow(/--keep-for says how long --keep-failed keeps a machine: it goes with --keep-failed/);
    expect(() => keepFlag({ keepFailed: true, keepFor: 'soon' }, noCi)).toThrow(/--keep-for: expected a duration like 90s or 5m, got 'soon'/);
    expect(() => keepFlag({ keepFailed: true, board: 'b.yaml' }, noCi)).toThrow(/--keep-failed keeps QEMU machines: it cannot go with --board/);
    expect(() => keepFlag({ gdb: true, board: 'b.yaml' }, noCi)).toThrow(/--gdb starts QEMU's gdbstub: it cannot go with --board/);
    try {
      keepFlag({ keepFor: '5m' }, noCi);
    } catch (error) {
      expect((error as { code: string }).code).toBe('E_BAD_FLAG');
    }
  });
});

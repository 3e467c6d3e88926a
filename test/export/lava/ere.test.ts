import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { jsRegexToEre, literalEre, textPatternEre } from '../../../harness/export/lava/ere.ts';

/** What grep -E says about a line, to check the translations against a real ERE engine. */
function greps(ere: string, line: string, ignoreCase = false): boolean {
  try {
    execFileSync('grep', [ignoreCase ? '-qiE' : '-qE', '-e', ere], { input: `${line}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
    return true;
  } catch {
    return false;
  }
}

describe('pilot patterns as POSIX EREs', () => {
  it('rewrites the JavaScript shorthands ERE lacks and agrees with JavaScript on kernel lines', () => {
    const cases: Array<[string, string, boolean]> = [
      ['arm-smmu-v3 [0-9a-f]+\\.smmuv3: event 0x10 received', 'arm-smmu-v3 9050000.smmuv3: event 0x10 received:', true],
      ['arm-smmu-v3 [0-9a-f]+\\.smmuv3: ', 'arm-smmu-v3 9050000Xsmmuv3: ', false],
      ['auth and reset failed: -?\\d+', 'qcom-iris: auth and reset failed: -22', true],
      ['auth and reset failed: -?\\d+', 'qcom-iris: auth and reset failed: x', false],
      ['Xen [0-9.]+ support found', 'Xen 4.17 support found', true],
      ['^0$', '0', true],
      ['^0$', '10', false],
      ['a\\s+b(?:c|d)', 'a \t bd', true],
      ['[\\d\\s]x', ' x', true],
    ];
    for (const [source, line, expected] of cases) {
      const converted = jsRegexToEre(source);
      if ('problem' in converted) throw new Error(`${source}: ${converted.problem}`);
      expect(new RegExp(source).test(line), source).toBe(expected);
      expect(greps(converted.ere, line), `${source} as ${converted.ere}`).toBe(expected);
    }
  });

  it('refuses what ERE cannot say rather than approximating it', () => {
    for (const source of ['\\bword\\b', '(?=x)y', '(?<name>x)', 'a+?', '(a)\\1', '\\n']) {
      expect('problem' in jsRegexToEre(source), source).toBe(true);
    }
  });

  it('escapes literal text so it matches only itself', () => {
    const text = 'kvm [1]: HYP mode (not) available? $5 a|b ^x {2} \\';
    expect(greps(literalEre(text), `prefix ${text} suffix`)).toBe(true);
    expect(greps(literalEre('a.c'), 'abc')).toBe(false);
  });

  it('matches a text pattern as contained text or as a regex, and /regex/i only as a regex, case-insensitively', () => {
    const both = textPatternEre('Xen [0-9.]+ support found');
    if ('problem' in both) throw new Error(both.problem);
    expect(greps(both.ere, 'Xen 4.17 support found')).toBe(true);
    expect(greps(both.ere, 'literally Xen [0-9.]+ support found')).toBe(true);
    const slash = textPatternEre('/SMMU fault/i');
    if ('problem' in slash) throw new Error(slash.problem);
    expect(slash.ignoreCase).toBe(true);
    expect(greps(slash.ere, 'smmu FAULT', slash.ignoreCase)).toBe(true);
    expect(textPatternEre('start timed out')).toEqual({ ere: 'start timed out', ignoreCase: false });
  });
});

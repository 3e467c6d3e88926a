import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../harness/core/duration.ts';
import { DURATION_PATTERN, duration } from '../../harness/config/fields.ts';
import { parseSlashRegex, textPatternMatcher, textPatternProblem } from '../../harness/config/text-pattern.ts';

describe('text patterns', () => {
  it('match as literal text or as a regex', () => {
    const literal = textPatternMatcher('kvm [1]: VHE');
    expect(literal.test('kvm [1]: VHE mode initialized successfully')).toBe(true);
    const regex = textPatternMatcher('Xen [0-9.]+ support found');
    expect(regex.test('Xen 4.17 support found')).toBe(true);
    expect(regex.test('Xen support found')).toBe(false);
  });

  it('fall back to literal text when the text is not a valid regex', () => {
    const matcher = textPatternMatcher('start timed out (adsp');
    expect(matcher.test('remoteproc: start timed out (adsp)')).toBe(true);
    expect(textPatternProblem('start timed out (adsp')).toBeUndefined();
  });

  it('/source/flags is a regex only, and must be valid', () => {
    expect(parseSlashRegex('/timed out/i')).toEqual({ source: 'timed out', flags: 'i' });
    expect(parseSlashRegex('/dev/kmsg')).toBeUndefined();
    expect(textPatternMatcher('/TIMED out/i').test('start timed out')).toBe(true);
    expect(textPatternMatcher('a+b').test('sum a+b')).toBe(true);
    expect(textPatternMatcher('/a+b/').test('sum a+b')).toBe(false);
    expect(textPatternProblem('/(/')).toMatch(/Unterminated group/);
    // g and y would make matching stateful, so they are not flags here: the text is taken literally.
    expect(parseSlashRegex('/x/g')).toBeUndefined();
  });
});

describe('duration field', () => {
  it.each(['30s', '3m', '1m30s', '500ms', '2h', '45', '2.5', ' 10s '])('accepts %s exactly as parseDuration does', (text) => {
    expect(DURATION_PATTERN.test(text)).toBe(true);
    expect(duration.parse(text)).toBe(parseDuration(text));
  });

  it.each(['soon', '', '30', '-1s', '1 m', 's', '1d'])('rejects or agrees on %j', (text) => {
    const accepted = duration.safeParse(text).success;
    expect(accepted).toBe(parseDuration(text) !== undefined && DURATION_PATTERN.test(text));
    if (text !== '30') expect(accepted).toBe(false);
  });

  it('takes bare numbers as seconds', () => {
    expect(duration.parse(90)).toBe(90_000);
    expect(duration.safeParse(-1).success).toBe(false);
  });
});

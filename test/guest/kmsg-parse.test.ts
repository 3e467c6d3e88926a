import { describe, expect, it } from 'vitest';
import { KmsgLineSplitter, parseKmsgLine } from '../../harness/guest/kmsg-parse.ts';

describe('parseKmsgLine', () => {
  it('reads priority, sequence, time and text', () => {
    expect(parseKmsgLine('6,339,5140900,-;CPU: All CPU(s) started at EL2')).toEqual({
      seq: 339,
      level: 6,
      facility: 0,
      usec: 5140900,
      text: 'CPU: All CPU(s) started at EL2',
    });
  });

  it('splits facility from level', () => {
    expect(parseKmsgLine('14,2,1,-;hello')).toMatchObject({ facility: 1, level: 6 });
  });

  it('unescapes the kernel\'s \\xNN escapes', () => {
    expect(parseKmsgLine('4,1,1,c;a\\x5cb\\x09c')?.text).toBe('a\\b\tc');
  });

  it('ignores dictionary continuation lines and junk', () => {
    expect(parseKmsgLine(' SUBSYSTEM=pci')).toBeUndefined();
    expect(parseKmsgLine('')).toBeUndefined();
  });

  it('keeps semicolons inside the message', () => {
    expect(parseKmsgLine('6,3,4,-;a;b')?.text).toBe('a;b');
  });
});

describe('KmsgLineSplitter', () => {
  it('holds back a partial line until it is complete', () => {
    const splitter = new KmsgLineSplitter();
    expect(splitter.push('6,1,1,-;first\n6,2,2,-;sec')).toHaveLength(1);
    const rest = splitter.push('ond\n DEVICE=+pci\n');
    expect(rest.map((r) => r.text)).toEqual(['second']);
  });
});

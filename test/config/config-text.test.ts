// Configuration text is bounded, UTF-8 and free of NUL, or a problem placed at the first bad byte.
import { describe, expect, it } from 'vitest';
import { decodeConfigText, firstInvalidUtf8 } from '../../harness/config/config-text.ts';

describe('decodeConfigText', () => {
  it('passes UTF-8 text through, multi-byte characters included, and drops a byte-order mark', () => {
    expect(decodeConfigText(Buffer.from('name: café-ü\n', 'utf8'), 'a.yaml')).toEqual({ text: 'name: café-ü\n' });
    expect(decodeConfigText(Buffer.from('\uFEFFname: x\n', 'utf8'), 'a.yaml')).toEqual({ text: 'name: x\n' });
  });

  it('places the first byte that is not UTF-8 at its line and column', () => {
    const bytes = Buffer.concat([Buffer.from('name: x\nsteps: é'), Buffer.from([0xff]), Buffer.from('\n')]);
    const { problem } = decodeConfigText(bytes, 'bad.yaml');
    expect(problem).toMatchObject({ file: 'bad.yaml', line: 2, column: 9 });
    expect(problem?.message).toMatch(/byte 0xff at offset 17 is not UTF-8/);
  });

  it('refuses a NUL byte, overlong forms and surrogates', () => {
    expect(decodeConfigText(Buffer.from('a: 1\nb: \u0000\n'), 'nul.yaml').problem).toMatchObject({ line: 2, column: 4, message: expect.stringMatching(/NUL byte/) });
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xc0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xe0, 0x80, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0xe2, 0x82]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from('ok €𝄞', 'utf8'))).toBe(-1);
  });

  it('refuses a file past the stated limit, naming both sizes', () => {
    const { problem } = decodeConfigText(Buffer.alloc(2048, 0x61), 'big.yaml', 1024);
    expect(problem).toMatchObject({ file: 'big.yaml', line: 1, column: 1 });
    expect(problem?.message).toBe('the file is 2048 bytes; pilot reads configuration files of at most 1024 bytes');
  });
});

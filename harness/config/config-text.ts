// Reads a configuration file as text a person wrote: bounded in size, UTF-8 without NUL, or a problem at the line and column of the first bad byte.
import { readFile } from 'node:fs/promises';
import type { ConfigProblem } from './problem.ts';

/** Scenario, board and known-issue files are hand-written; past this size a file is a mistake (a pasted log, a binary). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export type ConfigText = { text: string; problem?: undefined } | { text?: undefined; problem: ConfigProblem };

/** Line and column (1-based) of byte `offset` in `bytes`, counting columns in characters of the valid text before it. */
function positionOfByte(bytes: Buffer, offset: number): { line: number; column: number } {
  const before = bytes.subarray(0, offset).toString('utf8');
  const lines = before.split('\n');
  return { line: lines.length, column: [...lines[lines.length - 1]!].length + 1 };
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (overlong forms and surrogates included), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index]!;
    if (lead < 0x80) {
      index++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || index + length > bytes.length) return index;
    let codePoint = lead & (0xff >> (length + 1));
    for (let next = 1; next < length; next++) {
      const byte = bytes[index + next]!;
      if ((byte & 0xc0) !== 0x80) return index;
      codePoint = (codePoint << 6) | (byte & 0x3f);
    }
    const overlong = (length === 3 && codePoint < 0x800) || (length === 4 && codePoint < 0x10000);
    if (overlong || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return index;
    index += length;
  }
  return -1;
}

export function decodeConfigText(bytes: Buffer, file: string, maxBytes = MAX_CONFIG_BYTES): ConfigText {
  const at = (offset: number, message: string): ConfigText => ({ problem: { file, ...positionOfByte(bytes, offset), path: '', message } });
  if (bytes.length > maxBytes) {
    return { problem: { file, line: 1, column: 1, path: '', message: `the file is ${bytes.length} bytes; pilot reads configuration files of at most ${maxBytes} bytes` } };
  }
  const invalid = firstInvalidUtf8(bytes);
  if (invalid >= 0) {
    return at(invalid, `byte 0x${bytes[invalid]!.toString(16).padStart(2, '0')} at offset ${invalid} is not UTF-8; save the file as UTF-8 text`);
  }
  const text = bytes.toString('utf8');
  const nul = bytes.indexOf(0);
  if (nul >= 0) return at(nul, `a NUL byte at offset ${nul}: this is not a text file`);
  return { text: text.startsWith('\uFEFF') ? text.slice(1) : text };
}

export async function readConfigText(file: string, maxBytes = MAX_CONFIG_BYTES): Promise<ConfigText> {
  return decodeConfigText(await readFile(file), file, maxBytes);
}

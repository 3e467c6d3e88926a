// Parses /dev/kmsg records ("prio,seq,usec,flags;text" followed by " KEY=value" dictionary lines).
import type { KmsgRecord } from './guest.ts';

const HEADER = /^(\d+),(\d+),(\d+),[^;]*;(.*)$/;

/** Undoes the kernel's \xNN escaping of non-printable bytes and backslashes. */
export function unescapeKmsg(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Parses one record line; dictionary continuation lines and junk give undefined. */
export function parseKmsgLine(line: string): KmsgRecord | undefined {
  const match = HEADER.exec(line);
  if (!match) return undefined;
  const prio = Number(match[1]);
  return {
    seq: Number(match[2]),
    level: prio & 7,
    facility: prio >> 3,
    usec: Number(match[3]),
    text: unescapeKmsg(match[4]!),
  };
}

/** Splits a byte stream into records, holding back an unterminated last line until more arrives. */
export class KmsgLineSplitter {
  private partial = '';

  push(chunk: string): KmsgRecord[] {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    const records: KmsgRecord[] = [];
    for (const line of lines) {
      const record = parseKmsgLine(line);
      if (record) records.push(record);
    }
    return records;
  }
}

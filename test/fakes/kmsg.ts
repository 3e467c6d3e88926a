// Kernel log records for tests: parsing raw /dev/kmsg dumps, and the real boot logs captured under QEMU in boot-logs/.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KmsgRecord } from '../../harness/guest/guest.ts';
import type { ProfileName } from '../../harness/model/profile.ts';

/** Parses /dev/kmsg lines ("prio,seq,usec,flags;text"); continuation lines (" KEY=value") are dropped. */
export function parseKmsgDump(text: string): KmsgRecord[] {
  const records: KmsgRecord[] = [];
  for (const line of text.split('\n')) {
    const found = /^(\d+),(\d+),(\d+),[^;]*;(.*)$/.exec(line);
    if (!found) continue;
    const prio = Number(found[1]);
    records.push({ seq: Number(found[2]), level: prio & 7, facility: prio >> 3, usec: Number(found[3]), text: unescapeKmsg(found[4]!) });
  }
  return records;
}

/** /dev/kmsg escapes non-printable bytes as \xNN. */
function unescapeKmsg(text: string): string {
  return text.replace(/\\x([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The raw /dev/kmsg of a real boot of Debian's linux-image-6.1.0-56-arm64 (6.1.192-2) under QEMU 7.2 on each
 * profile (virtio-net and edu devices attached, virtio modules loaded), captured on 2026-11-21. See boot-logs/README.md.
 */
export function realBootLog(profile: ProfileName): KmsgRecord[] {
  const path = fileURLToPath(new URL(`./boot-logs/${profile}.kmsg`, import.meta.url));
  return parseKmsgDump(readFileSync(path, 'utf8'));
}

/** A kernel (facility 0) record; `seq` and `usec` are filled by FakeKernelLog when omitted. */
export function kernelRecord(text: string, fields: Partial<KmsgRecord> = {}): Partial<KmsgRecord> & { text: string } {
  return { level: 6, facility: 0, ...fields, text };
}

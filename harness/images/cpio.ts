// The kernel's initramfs format (newc cpio), written from a list of entries so no root or mknod is needed.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;

export type CpioEntry =
  | { type: 'dir'; path: string; mode: number }
  | { type: 'file'; path: string; mode: number; source: string | Buffer }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'char'; path: string; mode: number; major: number; minor: number };

const TRAILER = 'TRAILER!!!';
const pad4 = (n: number) => (4 - (n % 4)) % 4;
const hex8 = (n: number) => n.toString(16).padStart(8, '0');

function header(fields: { ino: number; mode: number; nlink: number; size: number; rmajor?: number; rminor?: number; nameSize: number }): Buffer {
  const values = [fields.ino, fields.mode, 0, 0, fields.nlink, 0, fields.size, 0, 0, fields.rmajor ?? 0, fields.rminor ?? 0, fields.nameSize, 0];
  return Buffer.from(`070701${values.map(hex8).join('')}`, 'latin1');
}

function nameBlock(name: string): Buffer {
  const bytes = Buffer.from(`${name}\0`, 'utf8');
  return Buffer.concat([bytes, Buffer.alloc(pad4(110 + bytes.length))]);
}

/** Paths in the archive are relative (`bin/busybox`); parents must come before children, which sorting gives. */
export function normalizeEntries(entries: CpioEntry[]): CpioEntry[] {
  const byPath = new Map<string, CpioEntry>();
  for (const entry of entries) byPath.set(entry.path.replace(/^\/+/, '').replace(/\/+$/, ''), { ...entry, path: entry.path.replace(/^\/+/, '').replace(/\/+$/, '') });
  return [...byPath.values()].filter((e) => e.path !== '').sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function write(out: Writable, chunk: Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Streams a newc archive of entries to out (uid/gid 0, mtime 0, so the same inputs give the same bytes). */
export async function writeCpio(out: Writable, entries: CpioEntry[]): Promise<void> {
  let ino = 1;
  for (const entry of normalizeEntries(entries)) {
    const name = nameBlock(entry.path);
    const nameSize = Buffer.byteLength(entry.path, 'utf8') + 1;
    switch (entry.type) {
      case 'dir':
        await write(out, Buffer.concat([header({ ino: ino++, mode: S_IFDIR | entry.mode, nlink: 2, size: 0, nameSize }), name]));
        break;
      case 'char':
        await write(out, Buffer.concat([header({ ino: ino++, mode: S_IFCHR | entry.mode, nlink: 1, size: 0, rmajor: entry.major, rminor: entry.minor, nameSize }), name]));
        break;
      case 'symlink': {
        const data = Buffer.from(entry.target, 'utf8');
        await write(out, Buffer.concat([header({ ino: ino++, mode: S_IFLNK | 0o777, nlink: 1, size: data.length, nameSize }), name, data, Buffer.alloc(pad4(data.length))]));
        break;
      }
      case 'file': {
        const data = typeof entry.source === 'string' ? await readWhole(entry.source) : entry.source;
        await write(out, Buffer.concat([header({ ino: ino++, mode: S_IFREG | entry.mode, nlink: 1, size: data.length, nameSize }), name]));
        await write(out, data);
        await write(out, Buffer.alloc(pad4(data.length)));
        break;
      }
    }
  }
  await write(out, Buffer.concat([header({ ino: 0, mode: 0, nlink: 1, size: 0, nameSize: TRAILER.length + 1 }), nameBlock(TRAILER)]));
}

async function readWhole(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Writes entries as a gzip'd newc archive to path. */
export async function writeGzippedCpio(path: string, entries: CpioEntry[], level = 6): Promise<void> {
  const gzip = createGzip({ level });
  const done = pipeline(gzip, createWriteStream(path, { mode: 0o644 }));
  await writeCpio(gzip, entries);
  gzip.end();
  await done;
}

export interface CpioMember {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  rdevMajor: number;
  rdevMinor: number;
  data: Buffer;
}

/** Lists a newc archive (gzip'd or not); used by tests and `pilot images` to check what went in. */
export function readCpio(archive: Buffer): CpioMember[] {
  const data = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  const members: CpioMember[] = [];
  let at = 0;
  while (at + 110 <= data.length) {
    const magic = data.toString('latin1', at, at + 6);
    if (magic !== '070701' && magic !== '070702') throw new Error(`bad cpio magic ${JSON.stringify(magic)} at offset ${at}`);
    const field = (i: number) => parseInt(data.toString('latin1', at + 6 + i * 8, at + 14 + i * 8), 16);
    const mode = field(1);
    const uid = field(2);
    const gid = field(3);
    const size = field(6);
    const rdevMajor = field(9);
    const rdevMinor = field(10);
    const nameSize = field(11);
    const nameStart = at + 110;
    const path = data.toString('utf8', nameStart, nameStart + nameSize - 1);
    const dataStart = nameStart + nameSize + pad4(110 + nameSize);
    if (path === TRAILER) break;
    members.push({ path, mode, uid, gid, rdevMajor, rdevMinor, data: data.subarray(dataStart, dataStart + size) });
    at = dataStart + size + pad4(size);
  }
  return members;
}

// Reads what a dynamically linked ELF needs at run time: its loader (PT_INTERP) and DT_NEEDED sonames.
import { readFile } from 'node:fs/promises';
import { InfraError } from '../core/errors.ts';

export const EM_AARCH64 = 183;

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_STRSZ = 10n;
const DT_SONAME = 14n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;

export interface ElfInfo {
  bits: 32 | 64;
  littleEndian: boolean;
  /** e_type: 2 executable, 3 shared object or PIE. */
  type: number;
  /** e_machine: 183 for aarch64. */
  machine: number;
  /** PT_INTERP: the loader path a dynamic executable names, e.g. /lib/ld-linux-aarch64.so.1. */
  interpreter: string | undefined;
  /** DT_NEEDED sonames in file order. */
  needed: string[];
  soname: string | undefined;
  runpath: string[];
  rpath: string[];
}

interface Segment {
  type: number;
  offset: number;
  vaddr: bigint;
  filesz: number;
}

export function isElf(data: Buffer): boolean {
  return data.length >= 4 && data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
}

function malformed(name: string, why: string): InfraError {
  return new InfraError('E_ELF_FORMAT', `${name}: not a readable ELF file: ${why}`);
}

/** Parses the program headers and dynamic section; `name` only labels errors. */
export function parseElf(data: Buffer, name = 'ELF'): ElfInfo {
  if (!isElf(data)) throw malformed(name, 'no ELF magic');
  const bitsByte = data[4];
  const dataByte = data[5];
  if (bitsByte !== 1 && bitsByte !== 2) throw malformed(name, `unknown class ${bitsByte}`);
  if (dataByte !== 1 && dataByte !== 2) throw malformed(name, `unknown data encoding ${dataByte}`);
  const bits = bitsByte === 2 ? 64 : 32;
  const le = dataByte === 1;
  const need = (offset: number, size: number) => {
    if (offset < 0 || offset + size > data.length) throw malformed(name, `truncated at offset ${offset}`);
  };
  const u16 = (o: number) => (need(o, 2), le ? data.readUInt16LE(o) : data.readUInt16BE(o));
  const u32 = (o: number) => (need(o, 4), le ? data.readUInt32LE(o) : data.readUInt32BE(o));
  const u64 = (o: number) => (need(o, 8), le ? data.readBigUInt64LE(o) : data.readBigUInt64BE(o));
  const word = (o: number): bigint => (bits === 64 ? u64(o) : BigInt(u32(o)));
  const wordSize = bits === 64 ? 8 : 4;

  const type = u16(16);
  const machine = u16(18);
  const phoff = Number(bits === 64 ? u64(32) : BigInt(u32(28)));
  const phentsize = u16(bits === 64 ? 54 : 42);
  const phnum = u16(bits === 64 ? 56 : 44);

  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (bits === 64) {
      segments.push({ type: u32(at), offset: Number(u64(at + 8)), vaddr: u64(at + 16), filesz: Number(u64(at + 32)) });
    } else {
      segments.push({ type: u32(at), offset: u32(at + 4), vaddr: BigInt(u32(at + 8)), filesz: u32(at + 16) });
    }
  }

  const cString = (offset: number, limit = data.length): string => {
    need(offset, 1);
    const end = data.indexOf(0, offset);
    if (end < 0 || end > limit) throw malformed(name, `unterminated string at offset ${offset}`);
    return data.toString('latin1', offset, end);
  };

  const interpSegment = segments.find((s) => s.type === PT_INTERP);
  const interpreter = interpSegment ? cString(interpSegment.offset, interpSegment.offset + interpSegment.filesz) : undefined;

  const info: ElfInfo = { bits, littleEndian: le, type, machine, interpreter, needed: [], soname: undefined, runpath: [], rpath: [] };
  const dynamic = segments.find((s) => s.type === PT_DYNAMIC);
  if (!dynamic) return info;

  // Dynamic entries hold virtual addresses; PT_LOAD segments map them back to file offsets.
  const fileOffset = (vaddr: bigint): number => {
    for (const s of segments) {
      if (s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + BigInt(s.filesz)) return Number(vaddr - s.vaddr) + s.offset;
    }
    throw malformed(name, `address 0x${vaddr.toString(16)} is in no loaded segment`);
  };

  const entries: Array<[bigint, bigint]> = [];
  for (let at = dynamic.offset; at + 2 * wordSize <= dynamic.offset + dynamic.filesz; at += 2 * wordSize) {
    const tag = word(at);
    if (tag === DT_NULL) break;
    entries.push([tag, word(at + wordSize)]);
  }
  const strtab = entries.find(([tag]) => tag === DT_STRTAB)?.[1];
  const strsz = entries.find(([tag]) => tag === DT_STRSZ)?.[1];
  if (strtab === undefined) return info;
  const strOffset = fileOffset(strtab);
  const strLimit = strsz === undefined ? data.length : strOffset + Number(strsz);
  const str = (index: bigint) => cString(strOffset + Number(index), strLimit);
  for (const [tag, value] of entries) {
    if (tag === DT_NEEDED) info.needed.push(str(value));
    else if (tag === DT_SONAME) info.soname = str(value);
    else if (tag === DT_RUNPATH) info.runpath.push(...str(value).split(':').filter(Boolean));
    else if (tag === DT_RPATH) info.rpath.push(...str(value).split(':').filter(Boolean));
  }
  return info;
}

export async function readElf(path: string): Promise<ElfInfo> {
  return parseElf(await readFile(path), path);
}

// Builds and inspects MBN-shaped images: ELF headers, a hash segment with one SHA-256 per program header and a stand-in signature, then the loadable segments.
import { createHash } from 'node:crypto';
import { crc32 } from './crc32.ts';
import { headersSize, readElfHeaders, writeElfHeaders, type ElfClass, type ElfHeaders, type ProgramHeader } from './elf-image.ts';
import {
  BOOT_BLOCK_SIZE,
  BOOT_HEADER_SIZE,
  BOOT_MAGIC,
  DIGEST_SIZE,
  FORMAT_VERSION,
  HASH_HEADER_SIZE,
  HASH_MAGIC,
  OEM_KEY,
  PT_LOAD,
  PT_NULL,
  QCOM_MDT_RELOCATABLE,
  QCOM_MDT_TYPE_HASH,
  QCOM_MDT_TYPE_LAYOUT,
  QCOM_MDT_TYPE_MASK,
} from './format.ts';

export interface SegmentSpec {
  /** Bytes held in the file (p_filesz); empty for a segment that is all bss. */
  data: Buffer;
  paddr: number;
  memsz: number;
  /** PF_R/PF_W/PF_X; QCOM_MDT_RELOCATABLE is added. */
  flags: number;
}

export interface MbnSpec {
  elfClass: ElfClass;
  machine: number;
  eFlags: number;
  /** The PAS id the image is signed for. */
  pasId: number;
  /** Where the boot block starts; must lie in a segment's file bytes. */
  entry: number;
  segments: SegmentSpec[];
}

const PAGE = 0x1000;
const HASH_SEGMENT_OFFSET = 0x1000;

const alignUp = (value: number, to: number) => Math.ceil(value / to) * to;
export const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

export function hashSegmentSize(phnum: number): number {
  return HASH_HEADER_SIZE + phnum * DIGEST_SIZE + DIGEST_SIZE;
}

function hashHeader(pasId: number, phnum: number): Buffer {
  const header = Buffer.alloc(HASH_HEADER_SIZE);
  header.writeUInt32LE(HASH_MAGIC, 0);
  header.writeUInt32LE(FORMAT_VERSION, 4);
  header.writeUInt32LE(pasId, 8);
  header.writeUInt32LE(phnum, 12);
  header.writeUInt32LE(DIGEST_SIZE, 16);
  header.writeUInt32LE(DIGEST_SIZE, 20);
  return header;
}

export function signHashTable(header: Buffer, table: Buffer): Buffer {
  return sha256(Buffer.from(OEM_KEY, 'latin1'), header, table);
}

/** Lays the image out, hashes every segment and signs the table; same spec, same bytes. */
export function buildMbn(spec: MbnSpec): Buffer {
  const phnum = 2 + spec.segments.length;
  const hashSize = hashSegmentSize(phnum);
  const headerBytes = headersSize(spec.elfClass, phnum);
  if (headerBytes > HASH_SEGMENT_OFFSET) throw new Error('too many program headers for the layout');

  const phdrs: ProgramHeader[] = [
    { type: PT_NULL, flags: QCOM_MDT_TYPE_LAYOUT, offset: 0, vaddr: 0, paddr: 0, filesz: headerBytes, memsz: 0, align: 0 },
    { type: PT_NULL, flags: QCOM_MDT_TYPE_HASH, offset: HASH_SEGMENT_OFFSET, vaddr: 0, paddr: 0, filesz: hashSize, memsz: PAGE, align: PAGE },
  ];
  let offset = alignUp(HASH_SEGMENT_OFFSET + hashSize, PAGE);
  for (const segment of spec.segments) {
    if (segment.data.length > segment.memsz) throw new Error('a segment holds more file bytes than memory');
    phdrs.push({
      type: PT_LOAD,
      flags: (segment.flags | QCOM_MDT_RELOCATABLE) >>> 0,
      offset,
      vaddr: segment.paddr,
      paddr: segment.paddr,
      filesz: segment.data.length,
      memsz: segment.memsz,
      align: PAGE,
    });
    offset = alignUp(offset + segment.data.length, PAGE);
  }
  const last = phdrs[phdrs.length - 1]!;
  const fileSize = Math.max(HASH_SEGMENT_OFFSET + hashSize, last.offset + last.filesz);

  const image = Buffer.alloc(fileSize);
  const headers = writeElfHeaders({ elfClass: spec.elfClass, machine: spec.machine, flags: spec.eFlags, entry: spec.entry, phdrs });
  headers.copy(image, 0);
  spec.segments.forEach((segment, i) => segment.data.copy(image, phdrs[i + 2]!.offset));

  const table = Buffer.concat(
    phdrs.map((p, i) => (i === 1 ? Buffer.alloc(DIGEST_SIZE) : sha256(image.subarray(p.offset, p.offset + p.filesz)))),
  );
  const header = hashHeader(spec.pasId, phnum);
  Buffer.concat([header, table, signHashTable(header, table)]).copy(image, HASH_SEGMENT_OFFSET);
  return image;
}

/** A BOOT_BLOCK_SIZE boot block: header (magic, pas id, size, CRC-32 of the rest, names) then payload. */
export function buildBootBlock(options: { pasId: number; name: string; banner: string; payload: Buffer }): Buffer {
  const block = Buffer.alloc(BOOT_BLOCK_SIZE);
  block.write(BOOT_MAGIC, 0, 'latin1');
  block.writeUInt32LE(FORMAT_VERSION, 8);
  block.writeUInt32LE(options.pasId, 12);
  block.writeUInt32LE(BOOT_BLOCK_SIZE, 16);
  block.write(options.name.slice(0, 7), 24, 'latin1');
  block.write(options.banner.slice(0, 31), 32, 'latin1');
  options.payload.copy(block, BOOT_HEADER_SIZE, 0, BOOT_BLOCK_SIZE - BOOT_HEADER_SIZE);
  block.writeUInt32LE(crc32(block.subarray(BOOT_HEADER_SIZE)), 20);
  return block;
}

export interface BootBlockInfo {
  pasId: number;
  name: string;
  banner: string;
  crcValid: boolean;
}

export interface MbnReport {
  headers: ElfHeaders;
  hashSegmentIndex: number;
  /** The PAS id the hash segment says the image is signed for. */
  pasId: number;
  signatureValid: boolean;
  /** Entry 0: the ELF header and program headers. */
  headersHashValid: boolean;
  /** Per program header: whether its bytes match the table; undefined for segments that are not loaded. */
  segmentHashValid: Array<boolean | undefined>;
  bootBlock: BootBlockInfo | undefined;
}

export function isLoadable(p: ProgramHeader): boolean {
  return p.type === PT_LOAD && (p.flags & QCOM_MDT_TYPE_MASK) !== QCOM_MDT_TYPE_HASH && p.memsz > 0;
}

const cString = (bytes: Buffer) => bytes.toString('latin1').replace(/\0.*$/s, '');

function readBootBlock(image: Buffer, headers: ElfHeaders): BootBlockInfo | undefined {
  const segment = headers.phdrs.find((p) => isLoadable(p) && headers.entry >= p.paddr && headers.entry + BOOT_BLOCK_SIZE <= p.paddr + p.filesz);
  if (!segment) return undefined;
  const at = segment.offset + (headers.entry - segment.paddr);
  const block = image.subarray(at, at + BOOT_BLOCK_SIZE);
  if (block.length < BOOT_BLOCK_SIZE || block.toString('latin1', 0, 8) !== BOOT_MAGIC) return undefined;
  return {
    pasId: block.readUInt32LE(12),
    name: cString(block.subarray(24, 32)),
    banner: cString(block.subarray(32, 64)),
    crcValid: block.readUInt32LE(20) === crc32(block.subarray(BOOT_HEADER_SIZE)) && block.readUInt32LE(16) === BOOT_BLOCK_SIZE,
  };
}

/** Checks an image the way the simulated TrustZone does; throws only when it cannot be read as an MBN at all. */
export function inspectMbn(image: Buffer): MbnReport {
  const headers = readElfHeaders(image);
  const hashSegmentIndex = headers.phdrs.findIndex((p, i) => i > 0 && (p.flags & QCOM_MDT_TYPE_MASK) === QCOM_MDT_TYPE_HASH);
  if (hashSegmentIndex < 0) throw new Error('no hash segment');
  const hashPhdr = headers.phdrs[hashSegmentIndex]!;
  const phnum = headers.phdrs.length;
  if (hashPhdr.offset + hashPhdr.filesz > image.length || hashPhdr.filesz < hashSegmentSize(phnum)) {
    throw new Error('hash segment is truncated');
  }
  const hashSegment = image.subarray(hashPhdr.offset, hashPhdr.offset + hashPhdr.filesz);
  const header = hashSegment.subarray(0, HASH_HEADER_SIZE);
  if (header.readUInt32LE(0) !== HASH_MAGIC) throw new Error('hash segment has the wrong magic');
  const table = hashSegment.subarray(HASH_HEADER_SIZE, HASH_HEADER_SIZE + phnum * DIGEST_SIZE);
  const signature = hashSegment.subarray(HASH_HEADER_SIZE + phnum * DIGEST_SIZE, hashSegmentSize(phnum));
  const entry = (i: number) => table.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE);
  const fileBytes = (p: ProgramHeader) => image.subarray(p.offset, p.offset + p.filesz);

  return {
    headers,
    hashSegmentIndex,
    pasId: header.readUInt32LE(8),
    signatureValid: signHashTable(Buffer.from(header), Buffer.from(table)).equals(signature),
    headersHashValid: headers.phdrs[0]!.offset === 0 && sha256(fileBytes(headers.phdrs[0]!)).equals(entry(0)),
    segmentHashValid: headers.phdrs.map((p, i) => (isLoadable(p) ? sha256(fileBytes(p)).equals(entry(i)) : undefined)),
    bootBlock: readBootBlock(image, headers),
  };
}

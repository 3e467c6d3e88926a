// Writes and reads the ELF header and program headers of ELF32/ELF64 little-endian images; segments are the caller's business.

export type ElfClass = 32 | 64;

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

export interface ElfHeaders {
  elfClass: ElfClass;
  /** e_machine, e.g. 164 (QDSP6) or 94 (Xtensa). */
  machine: number;
  /** e_flags; Hexagon images carry the ISA version here. */
  flags: number;
  entry: number;
  phdrs: ProgramHeader[];
}

const ET_EXEC = 2;

export function elfHeaderSize(elfClass: ElfClass): number {
  return elfClass === 32 ? 52 : 64;
}

export function programHeaderSize(elfClass: ElfClass): number {
  return elfClass === 32 ? 32 : 56;
}

/** Size of the ELF header plus the program header table that directly follows it. */
export function headersSize(elfClass: ElfClass, phnum: number): number {
  return elfHeaderSize(elfClass) + phnum * programHeaderSize(elfClass);
}

export function writeElfHeaders(headers: ElfHeaders): Buffer {
  const { elfClass, phdrs } = headers;
  const ehsize = elfHeaderSize(elfClass);
  const phentsize = programHeaderSize(elfClass);
  const out = Buffer.alloc(headersSize(elfClass, phdrs.length));

  out.write('\x7fELF', 0, 'latin1');
  out[4] = elfClass === 32 ? 1 : 2;
  out[5] = 1; // little-endian
  out[6] = 1; // EV_CURRENT
  if (elfClass === 32) {
    out.writeUInt16LE(ET_EXEC, 16);
    out.writeUInt16LE(headers.machine, 18);
    out.writeUInt32LE(1, 20);
    out.writeUInt32LE(headers.entry, 24);
    out.writeUInt32LE(ehsize, 28); // e_phoff
    out.writeUInt32LE(0, 32); // e_shoff
    out.writeUInt32LE(headers.flags, 36);
    out.writeUInt16LE(ehsize, 40);
    out.writeUInt16LE(phentsize, 42);
    out.writeUInt16LE(phdrs.length, 44);
  } else {
    out.writeUInt16LE(ET_EXEC, 16);
    out.writeUInt16LE(headers.machine, 18);
    out.writeUInt32LE(1, 20);
    out.writeBigUInt64LE(BigInt(headers.entry), 24);
    out.writeBigUInt64LE(BigInt(ehsize), 32); // e_phoff
    out.writeBigUInt64LE(0n, 40); // e_shoff
    out.writeUInt32LE(headers.flags, 48);
    out.writeUInt16LE(ehsize, 52);
    out.writeUInt16LE(phentsize, 54);
    out.writeUInt16LE(phdrs.length, 56);
  }

  phdrs.forEach((p, i) => {
    const at = ehsize + i * phentsize;
    if (elfClass === 32) {
      out.writeUInt32LE(p.type, at);
      out.writeUInt32LE(p.offset, at + 4);
      out.writeUInt32LE(p.vaddr, at + 8);
      out.writeUInt32LE(p.paddr, at + 12);
      out.writeUInt32LE(p.filesz, at + 16);
      out.writeUInt32LE(p.memsz, at + 20);
      out.writeUInt32LE(p.flags >>> 0, at + 24);
      out.writeUInt32LE(p.align, at + 28);
    } else {
      out.writeUInt32LE(p.type, at);
      out.writeUInt32LE(p.flags >>> 0, at + 4);
      out.writeBigUInt64LE(BigInt(p.offset), at + 8);
      out.writeBigUInt64LE(BigInt(p.vaddr), at + 16);
      out.writeBigUInt64LE(BigInt(p.paddr), at + 24);
      out.writeBigUInt64LE(BigInt(p.filesz), at + 32);
      out.writeBigUInt64LE(BigInt(p.memsz), at + 40);
      out.writeBigUInt64LE(BigInt(p.align), at + 48);
    }
  });
  return out;
}

function u64(buf: Buffer, at: number, what: string): number {
  const value = buf.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${what} ${value} does not fit a JavaScript number`);
  return Number(value);
}

/** Parses the headers back; throws with the reason when the bytes are not a little-endian ELF32/ELF64 image. */
export function readElfHeaders(buf: Buffer): ElfHeaders {
  if (buf.length < 52 || buf.toString('latin1', 0, 4) !== '\x7fELF') throw new Error('not an ELF file');
  if (buf[5] !== 1) throw new Error('not little-endian');
  const elfClass: ElfClass | undefined = buf[4] === 1 ? 32 : buf[4] === 2 ? 64 : undefined;
  if (!elfClass) throw new Error(`unknown ELF class ${buf[4]}`);
  if (buf.length < elfHeaderSize(elfClass)) throw new Error('truncated ELF header');

  const machine = buf.readUInt16LE(18);
  const entry = elfClass === 32 ? buf.readUInt32LE(24) : u64(buf, 24, 'e_entry');
  const phoff = elfClass === 32 ? buf.readUInt32LE(28) : u64(buf, 32, 'e_phoff');
  const flags = buf.readUInt32LE(elfClass === 32 ? 36 : 48);
  const phentsize = buf.readUInt16LE(elfClass === 32 ? 42 : 54);
  const phnum = buf.readUInt16LE(elfClass === 32 ? 44 : 56);
  if (phentsize !== programHeaderSize(elfClass)) throw new Error(`e_phentsize ${phentsize} is wrong for ELF${elfClass}`);
  if (phoff + phnum * phentsize > buf.length) throw new Error('program headers run past the end of the file');

  const phdrs: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    phdrs.push(
      elfClass === 32
        ? {
            type: buf.readUInt32LE(at),
            offset: buf.readUInt32LE(at + 4),
            vaddr: buf.readUInt32LE(at + 8),
            paddr: buf.readUInt32LE(at + 12),
            filesz: buf.readUInt32LE(at + 16),
            memsz: buf.readUInt32LE(at + 20),
            flags: buf.readUInt32LE(at + 24),
            align: buf.readUInt32LE(at + 28),
          }
        : {
            type: buf.readUInt32LE(at),
            flags: buf.readUInt32LE(at + 4),
            offset: u64(buf, at + 8, 'p_offset'),
            vaddr: u64(buf, at + 16, 'p_vaddr'),
            paddr: u64(buf, at + 24, 'p_paddr'),
            filesz: u64(buf, at + 32, 'p_filesz'),
            memsz: u64(buf, at + 40, 'p_memsz'),
            align: u64(buf, at + 48, 'p_align'),
          },
    );
  }
  return { elfClass, machine, flags, entry, phdrs };
}

// Reads the .modinfo section of a kernel module (ELF64 little-endian), e.g. its vermagic, without modinfo(8) for another architecture.

function sectionByName(elf: Buffer, wanted: string): Buffer | undefined {
  if (elf.length < 64 || elf.toString('latin1', 0, 4) !== '\x7fELF' || elf[4] !== 2 || elf[5] !== 1) {
    throw new Error('not a 64-bit little-endian ELF file');
  }
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  if (shoff + shnum * shentsize > elf.length || shstrndx >= shnum) throw new Error('section headers run past the end of the file');

  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return { name: elf.readUInt32LE(at), offset: Number(elf.readBigUInt64LE(at + 0x18)), size: Number(elf.readBigUInt64LE(at + 0x20)) };
  };
  const names = header(shstrndx);
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    const start = names.offset + h.name;
    const name = elf.toString('latin1', start, elf.indexOf(0, start));
    if (name === wanted) return elf.subarray(h.offset, h.offset + h.size);
  }
  return undefined;
}

/** key=value pairs of .modinfo; a key that appears more than once (alias, depends) keeps every value. */
export function readModinfo(ko: Buffer): Map<string, string[]> {
  const section = sectionByName(ko, '.modinfo');
  const info = new Map<string, string[]>();
  if (!section) return info;
  for (const entry of section.toString('latin1').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    info.set(key, [...(info.get(key) ?? []), entry.slice(eq + 1)]);
  }
  return info;
}

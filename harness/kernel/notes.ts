// ELF note blobs (/sys/kernel/notes, a vmlinux .notes section, the notes inside an Image) and the GNU build-id they carry.

export interface ElfNote {
  /** Owner name without its NUL, e.g. GNU or Linux. */
  name: string;
  type: number;
  desc: Buffer;
}

/** NT_GNU_BUILD_ID, the note type ld writes for --build-id. */
export const NT_GNU_BUILD_ID = 3;

const align4 = (n: number) => (n + 3) & ~3;

/**
 * Parses a sequence of ELF notes as the kernel exports them in /sys/kernel/notes (4-byte aligned, 32-bit header words).
 * Stops at the first note that does not fit, so trailing padding is ignored rather than misread.
 */
export function parseElfNotes(blob: Buffer, littleEndian = true): ElfNote[] {
  const notes: ElfNote[] = [];
  const word = (at: number) => (littleEndian ? blob.readUInt32LE(at) : blob.readUInt32BE(at));
  let at = 0;
  while (at + 12 <= blob.length) {
    const namesz = word(at);
    const descsz = word(at + 4);
    const type = word(at + 8);
    const nameStart = at + 12;
    const descStart = nameStart + align4(namesz);
    if (namesz === 0 && descsz === 0 && type === 0) break;
    if (namesz > 256 || descStart + descsz > blob.length) break;
    const rawName = blob.subarray(nameStart, nameStart + namesz);
    const nul = rawName.indexOf(0);
    notes.push({ name: rawName.toString('latin1', 0, nul < 0 ? rawName.length : nul), type, desc: Buffer.from(blob.subarray(descStart, descStart + descsz)) });
    at = descStart + align4(descsz);
  }
  return notes;
}

/** The GNU build-id in hex, or undefined when the blob carries none. */
export function gnuBuildId(notes: readonly ElfNote[]): string | undefined {
  const note = notes.find((n) => n.name === 'GNU' && n.type === NT_GNU_BUILD_ID && n.desc.length > 0);
  return note?.desc.toString('hex');
}

/** Build-id from the raw bytes of `cat /sys/kernel/notes`. */
export function buildIdFromKernelNotes(blob: Buffer): string | undefined {
  return gnuBuildId(parseElfNotes(blob));
}

/**
 * Build-id from a hex dump of /sys/kernel/notes (`od -An -v -tx1`, `xxd -p`, `hexdump -ve '1/1 "%.2x"'`):
 * the guest's shell carries text more safely than binary.
 */
export function buildIdFromKernelNotesHex(dump: string): string | undefined {
  const hex = dump.replace(/[^0-9a-fA-F]/g, '');
  if (hex.length % 2 !== 0) return undefined;
  return buildIdFromKernelNotes(Buffer.from(hex, 'hex'));
}

// Reads an arm64 kernel Image (or Image.gz): checks its header, finds the banner /proc/version will print and its build-id.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { KERNEL_INPUT_CODES, kernelInputError } from './input-error.ts';
import { NT_GNU_BUILD_ID, parseElfNotes, gnuBuildId } from './notes.ts';

/** arm64 Image header: "ARM\x64" at offset 56 (Documentation/arch/arm64/booting.rst). */
export const ARM64_IMAGE_MAGIC = Buffer.from('ARM\x64', 'latin1');
export const ARM64_IMAGE_MAGIC_OFFSET = 56;

export interface KernelImageInfo {
  /** The uncompressed Image bytes. */
  image: Buffer;
  /** True when the file was gzip'd (Image.gz); `image` is then the gunzipped content. */
  gzipped: boolean;
  /** sha256 of the uncompressed Image. */
  sha256: string;
  /** The whole banner without its newline: what /proc/version prints, e.g. "Linux version 6.1.0-56-arm64 (…) #1 SMP …". */
  versionString: string;
  /** `uname -r`, from the banner. */
  release: string;
  /** GNU build-id of vmlinux as the Image carries it in its .notes, when found unambiguously. */
  buildId: string | undefined;
}

export function isArm64Image(data: Buffer): boolean {
  return data.length >= 64 && data.subarray(ARM64_IMAGE_MAGIC_OFFSET, ARM64_IMAGE_MAGIC_OFFSET + 4).equals(ARM64_IMAGE_MAGIC);
}

function isGzip(data: Buffer): boolean {
  return data.length > 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/** Why a file is not an Image, in words a user recognises. */
function describeNonImage(data: Buffer): string {
  if (data.length < 64) return `only ${data.length} bytes`;
  if (data.toString('latin1', 0, 2) === 'MZ' && data.toString('latin1', 4, 8) === 'zimg') return 'an EFI zboot image (vmlinuz.efi); give arch/arm64/boot/Image';
  if (data.toString('latin1', 0, 4) === '\x7fELF') return 'an ELF file (vmlinux?); give arch/arm64/boot/Image';
  if (data.readUInt32LE(0) === 0x184c2102 || data.readUInt32LE(0) === 0x184d2204) return 'lz4-compressed; give Image or Image.gz';
  if (data.readUInt32LE(0) === 0xfd2fb528) return 'zstd-compressed; give Image or Image.gz';
  const found = data.subarray(ARM64_IMAGE_MAGIC_OFFSET, ARM64_IMAGE_MAGIC_OFFSET + 4).toString('hex');
  return `bytes 56..59 are ${found}, not 41524d64 ("ARM\\x64")`;
}

const BANNER = /Linux version (\S+) \([^\n\0]*/g;

/**
 * The banner the running kernel prints in /proc/version. 6.1+ links two: a weak placeholder from init/version.c
 * ("# SMP", no build number) and the real one from init/version-timestamp.c; the one with a "#<n>" build number wins.
 */
export function findVersionString(image: Buffer): { versionString: string; release: string } | undefined {
  const text = image.toString('latin1');
  const banners = [...text.matchAll(BANNER)].map((m) => ({ versionString: m[0].trimEnd(), release: m[1]! }));
  const numbered = banners.filter((b) => /#\d+/.test(b.versionString));
  return numbered.at(-1) ?? banners.at(-1);
}

/** End of the ELF file whose header sits at `at` (its section or program headers), or -1 when the bytes are no sane ELF header. */
function embeddedElfEnd(data: Buffer, at: number): number {
  if (at + 64 > data.length || data.toString('latin1', at, at + 4) !== '\x7fELF' || data[at + 5] !== 1 || data[at + 6] !== 1) return -1;
  if (data[at + 4] === 2) {
    const shoff = Number(data.readBigUInt64LE(at + 0x28));
    const shentsize = data.readUInt16LE(at + 0x3a);
    const shnum = data.readUInt16LE(at + 0x3c);
    return shentsize === 64 && shoff < 1 << 20 ? at + shoff + shentsize * shnum : -1;
  }
  if (data[at + 4] === 1) {
    const shoff = data.readUInt32LE(at + 0x20);
    const shentsize = data.readUInt16LE(at + 0x2e);
    const shnum = data.readUInt16LE(at + 0x30);
    return shentsize === 40 && shoff < 1 << 20 ? at + shoff + shentsize * shnum : -1;
  }
  return -1;
}

/**
 * The kernel's own build-id note in an Image. The vDSOs embedded in the Image carry build-id notes too;
 * a note that lies inside an embedded ELF file is theirs, not the kernel's.
 */
export function findImageBuildId(image: Buffer): string | undefined {
  const header = Buffer.alloc(16);
  header.writeUInt32LE(4, 0);
  header.writeUInt32LE(NT_GNU_BUILD_ID, 8);
  header.write('GNU\0', 12, 'latin1');
  const found = new Set<string>();
  for (let at = image.indexOf(header.subarray(8), 0); at >= 0; at = image.indexOf(header.subarray(8), at + 1)) {
    const start = at - 8;
    if (start < 0 || image.readUInt32LE(start) !== 4) continue;
    const elf = image.lastIndexOf('\x7fELF', start, 'latin1');
    if (elf >= 0 && start < embeddedElfEnd(image, elf)) continue;
    const id = gnuBuildId(parseElfNotes(image.subarray(start, start + 12 + 4 + 64)));
    if (id) found.add(id);
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/** Checks a kernel Image file and reads what the deploy step proves the running kernel against. */
export async function readKernelImage(path: string): Promise<KernelImageInfo> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (error) {
    throw kernelInputError(KERNEL_INPUT_CODES.noImage, `kernel image ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`, { cause: error });
  }
  let image = raw;
  const gzipped = isGzip(raw);
  if (gzipped) {
    try {
      image = gunzipSync(raw);
    } catch (error) {
      throw kernelInputError(KERNEL_INPUT_CODES.notArm64, `${path} starts like gzip but does not gunzip: ${(error as Error).message}`, { cause: error });
    }
  }
  if (!isArm64Image(image)) {
    throw kernelInputError(KERNEL_INPUT_CODES.notArm64, `${path} is not an arm64 kernel Image: ${describeNonImage(image)}`, {
      hint: 'give arch/arm64/boot/Image (or Image.gz) from `make ARCH=arm64 Image`',
    });
  }
  const version = findVersionString(image);
  if (!version) {
    throw kernelInputError(KERNEL_INPUT_CODES.noVersion, `${path} has the arm64 Image header but no "Linux version <release> (" banner inside`, {
      hint: 'the Image may be truncated or compressed in a way pilot does not read',
    });
  }
  return {
    image,
    gzipped,
    sha256: createHash('sha256').update(image).digest('hex'),
    versionString: version.versionString,
    release: version.release,
    buildId: findImageBuildId(image),
  };
}

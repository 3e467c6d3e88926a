// Generates the simulated SoC's firmware set at image build time: deterministic MBN-shaped ELF images plus their broken variants.
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InfraError } from '../../core/errors.ts';
import { readElfHeaders } from './elf-image.ts';
import { BOOT_BLOCK_SIZE, DIGEST_SIZE, FORMAT_VERSION, HASH_HEADER_SIZE, PF_R, PF_W, PF_X } from './format.ts';
import { buildBootBlock, buildMbn, sha256, type MbnSpec } from './mbn.ts';
import { loadRecipe, variantName, type FirmwareRecipe, type ProcessorRecipe, type Variant } from './recipe.ts';

export interface FirmwareImage {
  /** Name under the firmware root, as `firmware-name` in the DT and remoteproc's `firmware` attribute use it. */
  name: string;
  processor: string;
  pasId: number;
  variant: Variant;
  /** Absolute path of the written file. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface FirmwareSet {
  /** The folder to install as /lib/firmware in the guest. */
  root: string;
  formatVersion: number;
  images: FirmwareImage[];
}

const TEXT_SIZE = 0x2000;
const DATA_FILE_SIZE = 0x1800;
const DATA_MEM_SIZE = 0x3000;
const BSS_SIZE = 0x8000;
/** Where tampering lands: inside the data segment, well away from the boot block. */
const TAMPER_OFFSET = 0x100;
const DATA_SEGMENT_INDEX = 3;

/** Deterministic filler: SHA-256 in counter mode over a seed. */
function stream(seed: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * DIGEST_SIZE < length; i++) blocks.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
}

function imageSpec(p: ProcessorRecipe, elfClass: 32 | 64): MbnSpec {
  const boot = buildBootBlock({ pasId: p.pasId, name: p.name, banner: p.banner, payload: stream(`${p.name}/boot`, BOOT_BLOCK_SIZE) });
  return {
    elfClass,
    machine: p.machine,
    eFlags: p.eFlags,
    pasId: p.pasId,
    entry: p.base,
    segments: [
      { data: Buffer.concat([boot, stream(`${p.name}/text`, TEXT_SIZE - BOOT_BLOCK_SIZE)]), paddr: p.base, memsz: TEXT_SIZE, flags: PF_R | PF_X },
      { data: stream(`${p.name}/data`, DATA_FILE_SIZE), paddr: p.base + 0x10000, memsz: DATA_MEM_SIZE, flags: PF_R | PF_W },
      { data: Buffer.alloc(0), paddr: p.base + 0x20000, memsz: BSS_SIZE, flags: PF_R | PF_W },
    ],
  };
}

/** The bytes of one image of one processor; exported for tests. */
export function buildImage(p: ProcessorRecipe, variant: Variant): Buffer {
  const image = buildMbn(imageSpec(p, variant === 'elf64' ? 64 : 32));
  const phdrs = readElfHeaders(image).phdrs;
  if (variant === 'tampered') {
    image[phdrs[DATA_SEGMENT_INDEX]!.offset + TAMPER_OFFSET]! ^= 0xff;
  } else if (variant === 'bad-signature') {
    image[phdrs[1]!.offset + HASH_HEADER_SIZE + DATA_SEGMENT_INDEX * DIGEST_SIZE]! ^= 0x01;
  }
  return image;
}

async function writeAtomically(path: string, data: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, data);
  await rename(temp, path);
}

/** Writes every image the recipe names into outDir (the future /lib/firmware) and describes them. */
export async function generateFirmware(outDir: string, options: { recipe?: FirmwareRecipe; recipePath?: string } = {}): Promise<FirmwareSet> {
  const recipe = options.recipe ?? (await loadRecipe(options.recipePath));
  const images: FirmwareImage[] = [];
  for (const processor of recipe.processors) {
    for (const variant of ['good', ...processor.variants] as Variant[]) {
      const name = variantName(processor.firmware, variant);
      const path = join(outDir, name);
      const bytes = buildImage(processor, variant);
      try {
        await writeAtomically(path, bytes);
      } catch (error) {
        throw new InfraError('E_FIRMWARE_WRITE', `cannot write firmware image ${path}: ${(error as Error).message}`, { cause: error });
      }
      images.push({ name, processor: processor.name, pasId: processor.pasId, variant, path, sha256: sha256(bytes).toString('hex'), bytes: bytes.length });
    }
  }
  return { root: outDir, formatVersion: FORMAT_VERSION, images };
}

// The generated firmware: real ELF images that read back, verify like the simulated TrustZone, fail where they are meant to, and never change.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../harness/core/errors.ts';
import { crc32 } from '../../harness/images/firmware/crc32.ts';
import { readElfHeaders } from '../../harness/images/firmware/elf-image.ts';
import { BOOT_BLOCK_SIZE, QCOM_MDT_RELOCATABLE, QCOM_MDT_TYPE_HASH } from '../../harness/images/firmware/format.ts';
import { generateFirmware, type FirmwareSet } from '../../harness/images/firmware/generate.ts';
import { inspectMbn } from '../../harness/images/firmware/mbn.ts';
import { parseRecipe } from '../../harness/images/firmware/recipe.ts';

let dir: string;
let set: FirmwareSet;
const image = (name: string) => set.images.find((i) => i.name === name)!;
const bytes = (name: string) => readFile(image(name).path);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pilot-fw-'));
  set = await generateFirmware(join(dir, 'a'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('generateFirmware', () => {
  it('writes each processor under its upstream-like name, with the broken variants beside it', () => {
    expect(set.images.map((i) => `${i.processor}:${i.pasId}:${i.variant}:${i.name}`)).toEqual([
      'adsp:1:good:qcom/sa8775p/adsp.mbn',
      'adsp:1:tampered:qcom/sa8775p/adsp-tampered.mbn',
      'adsp:1:bad-signature:qcom/sa8775p/adsp-bad-signature.mbn',
      'adsp:1:elf64:qcom/sa8775p/adsp-elf64.mbn',
      'cdsp:18:good:qcom/sa8775p/cdsp0.mbn',
      'cdsp:18:tampered:qcom/sa8775p/cdsp0-tampered.mbn',
      'cdsp:18:bad-signature:qcom/sa8775p/cdsp0-bad-signature.mbn',
      'iris:9:good:qcom/vpu/vpu30_p4.mbn',
      'iris:9:tampered:qcom/vpu/vpu30_p4-tampered.mbn',
      'iris:9:bad-signature:qcom/vpu/vpu30_p4-bad-signature.mbn',
    ]);
    for (const i of set.images) expect(i.path).toBe(join(set.root, i.name));
  });

  it('gives the same bytes for the same recipe', async () => {
    const again = await generateFirmware(join(dir, 'b'));
    expect(again.images.map((i) => i.sha256)).toEqual(set.images.map((i) => i.sha256));
    expect(new Set(set.images.map((i) => i.sha256)).size).toBe(set.images.length);
  });

  it('writes MBN-shaped ELF images: header segment, hash segment, relocatable loads', async () => {
    for (const name of ['qcom/sa8775p/adsp.mbn', 'qcom/sa8775p/adsp-elf64.mbn', 'qcom/vpu/vpu30_p4.mbn']) {
      const headers = readElfHeaders(await bytes(name));
      expect(headers.elfClass).toBe(name.includes('elf64') ? 64 : 32);
      const [layout, hash, ...loads] = headers.phdrs;
      expect(layout!.type).toBe(0);
      expect(layout!.offset).toBe(0);
      expect(hash!.flags & (7 << 24)).toBe(QCOM_MDT_TYPE_HASH);
      expect(loads.map((p) => p.type)).toEqual([1, 1, 1]);
      for (const p of loads) expect(p.flags & QCOM_MDT_RELOCATABLE).toBe(QCOM_MDT_RELOCATABLE);
      expect(headers.entry).toBe(loads[0]!.paddr);
    }
    expect(readElfHeaders(await bytes('qcom/sa8775p/adsp.mbn')).machine).toBe(164);
  });

  it('is read the same way by binutils readelf', async () => {
    const { stdout } = await execa('readelf', ['-lW', image('qcom/sa8775p/cdsp0.mbn').path]);
    const loads = stdout.split('\n').filter((line) => /^\s+LOAD\s/.test(line));
    const ours = readElfHeaders(await bytes('qcom/sa8775p/cdsp0.mbn')).phdrs.filter((p) => p.type === 1);
    expect(loads.map((line) => line.trim().split(/\s+/).slice(1, 6).map((v) => parseInt(v, 16)))).toEqual(
      ours.map((p) => [p.offset, p.vaddr, p.paddr, p.filesz, p.memsz]),
    );
    expect(stdout).toMatch(/Entry point 0x8d800000/);
  });

  it('signs and hashes good images so that every check passes', async () => {
    for (const i of set.images.filter((x) => x.variant === 'good' || x.variant === 'elf64')) {
      const report = inspectMbn(await bytes(i.name));
      expect(report.pasId).toBe(i.pasId);
      expect(report.signatureValid).toBe(true);
      expect(report.headersHashValid).toBe(true);
      expect(report.segmentHashValid).toEqual([undefined, undefined, true, true, true]);
      expect(report.bootBlock).toMatchObject({ pasId: i.pasId, name: i.processor, crcValid: true });
    }
  });

  it('breaks exactly one segment hash in a tampered image, keeping its signature', async () => {
    const report = inspectMbn(await bytes('qcom/sa8775p/adsp-tampered.mbn'));
    expect(report.signatureValid).toBe(true);
    expect(report.segmentHashValid).toEqual([undefined, undefined, true, false, true]);
    const good = await bytes('qcom/sa8775p/adsp.mbn');
    const bad = await bytes('qcom/sa8775p/adsp-tampered.mbn');
    expect([...good].filter((b, i) => b !== bad[i]).length).toBe(1);
  });

  it('breaks the signature, not the segments, in a bad-signature image', async () => {
    const report = inspectMbn(await bytes('qcom/vpu/vpu30_p4-bad-signature.mbn'));
    expect(report.signatureValid).toBe(false);
    expect(report.bootBlock?.crcValid).toBe(true);
  });

  it('starts the first load segment with a boot block whose CRC covers its payload', async () => {
    const data = await bytes('qcom/sa8775p/adsp.mbn');
    const text = readElfHeaders(data).phdrs[2]!;
    const block = data.subarray(text.offset, text.offset + BOOT_BLOCK_SIZE);
    expect(block.toString('latin1', 0, 8)).toBe('PSIMBOOT');
    expect(block.readUInt32LE(20)).toBe(crc32(block.subarray(64)));
  });
});

describe('crc32', () => {
  it('matches the IEEE check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('parseRecipe', () => {
  it('names every problem of a bad recipe as an InputError', () => {
    const text = 'formatVersion: 1\nprocessors:\n  - name: adsp\n    pasId: 99\n    firmware: adsp.bin\n    machine: 164\n    eFlags: 0\n    base: 0x8b800001\n    banner: x\n';
    let error: unknown;
    try {
      parseRecipe(text, 'recipe.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('E_FIRMWARE_RECIPE');
    expect((error as InputError).evidence.join('\n')).toMatch(/pasId[\s\S]*firmware[\s\S]*base/);
  });
});

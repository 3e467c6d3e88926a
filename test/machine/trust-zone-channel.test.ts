// The secure-serial TrustZone channel over a PassThrough pair: line splitting, tz.log, waits, commands.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortedError, InfraError } from '../../harness/core/errors.ts';
import { StreamTrustZoneChannel } from '../../harness/machine/trust-zone-channel.ts';
import { TZ_LOG } from '../../harness/model/artifact-names.ts';

// Lines as the firmware prints them (images/el3-firmware/README.md, "Host channel").
const BOOT = 'tz: boot pilot-el3 version=1 cpu=0 linux_el=2';
const INIT = 'tz: smc pas init_image pas=1 meta=0x41a00000 ok adsp elf32 phnum=5 entry=0x8b800000 span=0x28000 relocatable';
const SETUP = 'tz: smc pas mem_setup pas=1 addr=0x7c200000 size=0x28000 ok';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function open() {
  const dir = await mkdtemp(join(tmpdir(), 'pilot-tz-'));
  const fromFirmware = new PassThrough();
  const toFirmware = new PassThrough();
  const channel = new StreamTrustZoneChannel({ input: fromFirmware, output: toFirmware, logPath: join(dir, TZ_LOG) });
  cleanups.push(async () => {
    await channel.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
  const sent: string[] = [];
  toFirmware.on('data', (chunk: Buffer) => sent.push(chunk.toString()));
  return { channel, fromFirmware, toFirmware, sent, logPath: join(dir, TZ_LOG) };
}

const soon = () => Date.now() + 2_000;
const never = new AbortController().signal;

describe('StreamTrustZoneChannel', () => {
  it('splits chunks into lines, drops the carriage return, and keeps them in order', async () => {
    const { channel, fromFirmware } = await open();
    fromFirmware.write(`${BOOT}\r\ntz: smc pas init`);
    fromFirmware.write(`_image pas=1 meta=0x41a00000 ok adsp elf32 phnum=5 entry=0x8b800000 span=0x28000 relocatable\r\n${SETUP}\n`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(channel.lines()).toEqual([BOOT, INIT, SETUP]);
  });

  it('appends every line to tz.log, the unterminated last one included once the stream ends', async () => {
    const { channel, fromFirmware, logPath } = await open();
    fromFirmware.write(`${BOOT}\n${SETUP}\ntz: psci system_off`);
    fromFirmware.end();
    await new Promise((resolve) => fromFirmware.once('end', resolve));
    await channel.close();
    expect(await readFile(logPath, 'utf8')).toBe(`${BOOT}\n${SETUP}\ntz: psci system_off\n`);
    expect(channel.lines()).toEqual([BOOT, SETUP, 'tz: psci system_off']);
  });

  it('waitForLine resolves with an already-logged line at once', async () => {
    const { channel, fromFirmware } = await open();
    fromFirmware.write(`${BOOT}\n${INIT}\n`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await channel.waitForLine((line) => line.includes('init_image'), soon(), never)).toBe(INIT);
  });

  it('waitForLine resolves with a line arriving later', async () => {
    const { channel, fromFirmware } = await open();
    const waited = channel.waitForLine((line) => line.includes('mem_setup'), soon(), never);
    setTimeout(() => fromFirmware.write(`${INIT}\n${SETUP}\n`), 20);
    expect(await waited).toBe(SETUP);
  });

  it('waitForLine resolves with undefined once the deadline passes', async () => {
    const { channel, fromFirmware } = await open();
    fromFirmware.write(`${BOOT}\n`);
    const started = Date.now();
    expect(await channel.waitForLine((line) => line.includes('never'), Date.now() + 50, never)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('waitForLine rejects when its signal aborts', async () => {
    const { channel } = await open();
    const controller = new AbortController();
    const waited = channel.waitForLine(() => false, Date.now() + 5_000, controller.signal);
    controller.abort();
    await expect(waited).rejects.toBeInstanceOf(AbortedError);
  });

  it('send writes one command line and resolves once written', async () => {
    const { channel, sent } = await open();
    await channel.send('fatal adsp');
    await channel.send('fault cdsp refuse-auth on');
    expect(sent.join('')).toBe('fatal adsp\nfault cdsp refuse-auth on\n');
  });

  it('send refuses what the firmware would cut or split: a line break, more than 127 bytes', async () => {
    const { channel, sent } = await open();
    await expect(channel.send('ping\nstatus')).rejects.toThrow(/one line of at most 127 bytes/);
    await expect(channel.send(`fatal adsp ${'x'.repeat(120)}`)).rejects.toThrow(/one line of at most 127 bytes/);
    expect(sent).toEqual([]);
  });

  it('send on a closed serial rejects with E_TZ_SEND', async () => {
    const { channel, toFirmware } = await open();
    toFirmware.destroy();
    const error = await channel.send('ping').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as InfraError).code).toBe('E_TZ_SEND');
  });
});

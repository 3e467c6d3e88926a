// The host end of the EL3 firmware's channel, against a stand-in firmware on the socket QEMU would connect to.
import { mkdtemp, readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TrustZoneHost } from '../../harness/machine/trust-zone-host.ts';

let host: TrustZoneHost | undefined;
afterEach(async () => host?.close());

/** Connects as QEMU does and answers commands as the firmware does: `ok` for known ones, `error` otherwise. */
async function standInFirmware(socketPath: string, banner = true): Promise<Socket> {
  const socket = connect(socketPath);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (banner) socket.write('tz: boot pilot-el3 version=1 cpu=0 linux_el=2\n');
  let buffered = '';
  socket.on('data', (chunk) => {
    buffered += chunk.toString();
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      const command = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      socket.write(command.startsWith('fatal ') ? `tz: host ok ${command}\n` : `tz: host error unknown command: ${command}\n`);
    }
  });
  return socket;
}

describe('TrustZoneHost', () => {
  it('keeps every line, writes them to tz.log with their time, and finds lines old and new', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tz-test-'));
    host = await TrustZoneHost.listen(join(dir, 'tz.log'));
    const firmware = await standInFirmware(host.socketPath);
    const never = new AbortController().signal;
    expect(await host.waitForLine((line) => line.startsWith('tz: boot'), Date.now() + 2000, never)).toBe('tz: boot pilot-el3 version=1 cpu=0 linux_el=2');
    const later = host.waitForLine((line) => line.includes('is now up'), Date.now() + 2000, never);
    firmware.write('tz: remote adsp state booting->running (booted)\r\ntz: adsp is now up\n');
    expect(await later).toBe('tz: adsp is now up');
    expect(host.lines()).toEqual(['tz: boot pilot-el3 version=1 cpu=0 linux_el=2', 'tz: remote adsp state booting->running (booted)', 'tz: adsp is now up']);
    expect(await host.waitForLine((line) => line === 'never', Date.now() + 50, never)).toBeUndefined();
    await host.close();
    expect(await readFile(join(dir, 'tz.log'), 'utf8')).toMatch(/^\[ +\d+\.\d{3}\] tz: boot pilot-el3 .*\n\[ +\d+\.\d{3}\] tz: remote adsp/);
  });

  it('sends a command once the banner is up; the answers of the firmware, ok or error, arrive in the log for the caller to judge', async () => {
    host = await TrustZoneHost.listen(join(await mkdtemp(join(tmpdir(), 'tz-test-')), 'tz.log'));
    await standInFirmware(host.socketPath);
    const never = new AbortController().signal;
    await host.send('fatal adsp');
    expect(await host.waitForLine((line) => line === 'tz: host ok fatal adsp', Date.now() + 2000, never)).toBe('tz: host ok fatal adsp');
    await host.send('frobnicate');
    expect(await host.waitForLine((line) => line.startsWith('tz: host error'), Date.now() + 2000, never)).toBe('tz: host error unknown command: frobnicate');
    await expect(host.send('two\nlines')).rejects.toMatchObject({ code: 'E_TZ_COMMAND' });
  });

  it('gives waiting callers undefined when it closes', async () => {
    host = await TrustZoneHost.listen(join(await mkdtemp(join(tmpdir(), 'tz-test-')), 'tz.log'));
    const waiting = host.waitForLine(() => false, Date.now() + 10_000, new AbortController().signal);
    await host.close();
    expect(await waiting).toBeUndefined();
  });
});

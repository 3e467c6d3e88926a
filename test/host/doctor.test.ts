import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { doctorCommand, formatDoctorReport } from '../../harness/cli/commands/doctor.ts';
import { checkHost, locateExecutable, nodeVersionOk, type RequirementStatus } from '../../harness/host/check.ts';
import { packageRequirements } from '../../harness/host/requirements.ts';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

describe('pilot doctor', () => {
  it('checks every package from the requirements file, with installed versions', async () => {
    const statuses = await checkHost();
    for (const req of packageRequirements()) {
      const status = statuses.find((s) => s.name === req.package);
      expect(status, req.package).toBeDefined();
      if (status!.present) expect(status!.version).toMatch(/\d/);
    }
    expect(statuses.find((s) => s.name === 'node')!.version).toBe(process.versions.node);
  });

  it('exits 0 and says so when everything is present (setup-host.sh has run), else 2 listing the command', async () => {
    const out = capture();
    const code = await doctorCommand([], out.stream);
    const statuses = await checkHost();
    const allPresent = statuses.every((s) => s.present);
    expect(code).toBe(allPresent ? 0 : 2);
    expect(out.text()).toContain(allPresent ? 'all requirements present' : 'missing');
    expect(out.text()).toMatch(/^ok\s+qemu-system-arm\s+\S*\d/m);
  });

  it('marks missing requirements and how to install them', () => {
    const [first] = packageRequirements();
    const statuses: RequirementStatus[] = [
      { requirement: first!, name: first!.package, present: false, version: undefined, detail: 'package not installed' },
    ];
    const text = formatDoctorReport(statuses);
    expect(text).toMatch(new RegExp(`^MISSING\\s+${first!.package}\\s+-\\s+package not installed`));
  });

  it('rejects unknown arguments with exit 2', async () => {
    const out = capture();
    expect(await doctorCommand(['--bogus'], out.stream)).toBe(2);
  });

  it('finds executables on PATH and compares Node versions', () => {
    expect(locateExecutable('sh')).toMatch(/\/sh$/);
    expect(locateExecutable('pilot-no-such-tool')).toBeUndefined();
    // An absolute path is data a tool reads (U-Boot's firmware): it counts when it exists, executable or not.
    const dir = mkdtempSync(join(tmpdir(), 'pilot-doctor-'));
    const data = join(dir, 'u-boot.bin');
    writeFileSync(data, 'firmware', { mode: 0o644 });
    expect(locateExecutable(data)).toBe(data);
    expect(locateExecutable(join(dir, 'missing.bin'))).toBeUndefined();
    // A name on PATH must be executable: a plain file named like a command does not count.
    expect(locateExecutable('u-boot.bin', dir)).toBeUndefined();
    rmSync(dir, { recursive: true });
    expect(nodeVersionOk('20.5.0')).toBe(true);
    expect(nodeVersionOk('20.4.9')).toBe(false);
    expect(nodeVersionOk('22.0.0')).toBe(true);
    expect(nodeVersionOk('18.19.0')).toBe(false);
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REQUIREMENTS_FILE, hostRequirements, packageRequirements, parseRequirementsFile } from '../../harness/host/requirements.ts';

const SETUP = fileURLToPath(new URL('../../ci/setup-host.sh', import.meta.url));

describe('host requirements', () => {
  it('parses package | provides | why lines, skipping comments and blanks', () => {
    const parsed = parseRequirementsFile('# header\n\nqemu-system-arm | qemu-system-aarch64 | boots guests # trailing\nkmod|depmod|modules.dep\n');
    expect(parsed).toEqual([
      { kind: 'package', package: 'qemu-system-arm', provides: 'qemu-system-aarch64', why: 'boots guests', install: 'apt-get install -y qemu-system-arm' },
      { kind: 'package', package: 'kmod', provides: 'depmod', why: 'modules.dep', install: 'apt-get install -y kmod' },
    ]);
  });

  it('covers every tool the image pipeline runs', () => {
    const names = packageRequirements().map((r) => r.package);
    for (const pkg of ['qemu-system-arm', 'gcc-aarch64-linux-gnu', 'binutils-aarch64-linux-gnu', 'device-tree-compiler', 'linux-kbuild-6.1', 'cpio', 'kmod', 'make', 'xz-utils', 'zstd']) {
      expect(names).toContain(pkg);
    }
    for (const r of hostRequirements()) expect(r.why.length, JSON.stringify(r)).toBeGreaterThan(5);
  });

  it('is the list ci/setup-host.sh installs', () => {
    const fromScript = execFileSync('bash', [SETUP, '--print-packages'], { encoding: 'utf8' }).trim().split('\n');
    expect(fromScript).toEqual(packageRequirements().map((r) => r.package));
    expect(readFileSync(SETUP, 'utf8')).toContain('harness/host/requirements.txt');
    expect(REQUIREMENTS_FILE.endsWith('harness/host/requirements.txt')).toBe(true);
  });
});

describe('ci/setup-host.sh', () => {
  it('finishes in under 2 s when everything is present', () => {
    const started = Date.now();
    const run = spawnSync('bash', [SETUP], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(run.status, run.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(run.stdout).not.toMatch(/apt-get|npm ci/);
  });

  it('as a non-root user with a package missing, exits non-zero naming the command to run', () => {
    // A copy of the script beside a requirements file listing a package nobody has.
    const repo = mkdtempSync(join(tmpdir(), 'pilot-setup-'));
    mkdirSync(join(repo, 'ci'));
    mkdirSync(join(repo, 'harness/host'), { recursive: true });
    cpSync(SETUP, join(repo, 'ci/setup-host.sh'));
    writeFileSync(join(repo, 'harness/host/requirements.txt'), 'make | make | builds\npilot-no-such-package | nothing | test\n');
    chmodSync(repo, 0o755);
    const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
    const run = spawnSync('bash', [join(repo, 'ci/setup-host.sh')], {
      encoding: 'utf8',
      uid: process.getuid?.() === 0 ? uid : undefined,
      env: { PATH: process.env.PATH, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('missing: pilot-no-such-package');
    expect(run.stderr).toContain('sudo apt-get install -y pilot-no-such-package');
    expect(run.stderr).not.toMatch(/install -y make\b/);
  });
});

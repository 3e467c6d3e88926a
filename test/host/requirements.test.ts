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
      { kind: 'package', scope: 'run', package: 'qemu-system-arm', provides: 'qemu-system-aarch64', why: 'boots guests', install: 'apt-get install -y qemu-system-arm' },
      { kind: 'package', scope: 'run', package: 'kmod', provides: 'depmod', why: 'modules.dep', install: 'apt-get install -y kmod' },
    ]);
  });

  it('puts packages after a [test] line in the test scope, and back in run after [run]', () => {
    const parsed = parseRequirementsFile('a | a | for pilot\n[test]\nb | b | for the suite\n[run]\nc | c | for pilot again\n');
    expect(parsed.map((r) => `${r.package}:${r.scope}`)).toEqual(['a:run', 'b:test', 'c:run']);
  });

  it('names the cross C library the suite compiles aarch64 programs against, in the test scope only', () => {
    const cross = packageRequirements('test').find((r) => r.package === 'libc6-dev-arm64-cross');
    expect(cross?.scope).toBe('test');
    expect(packageRequirements('run').map((r) => r.package)).not.toContain('libc6-dev-arm64-cross');
  });

  it('covers every tool the image pipeline runs', () => {
    const names = packageRequirements().map((r) => r.package);
    for (const pkg of ['qemu-system-arm', 'gcc-aarch64-linux-gnu', 'binutils-aarch64-linux-gnu', 'device-tree-compiler', 'linux-kbuild-6.1', 'cpio', 'kmod', 'make', 'xz-utils', 'zstd']) {
      expect(names).toContain(pkg);
    }
    for (const r of hostRequirements()) expect(r.why.length, JSON.stringify(r)).toBeGreaterThan(5);
  });

  it('is the list ci/setup-host.sh installs, per scope', () => {
    for (const scope of ['run', 'test'] as const) {
      const fromScript = execFileSync('bash', [SETUP, scope, '--print-packages'], { encoding: 'utf8' }).trim().split('\n');
      expect(fromScript).toEqual(packageRequirements(scope).map((r) => r.package));
    }
    expect(packageRequirements('run').length).toBeLessThan(packageRequirements('test').length);
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

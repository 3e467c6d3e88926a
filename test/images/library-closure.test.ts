import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveInRoot, resolveLibraryClosure } from '../../harness/images/library-closure.ts';
import { craftElf } from './fixtures/craft-elf.ts';

function fakeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'pilot-root-'));
  for (const dir of ['bin', 'lib/aarch64-linux-gnu', 'usr/lib/aarch64-linux-gnu', 'opt/app/lib']) mkdirSync(join(root, dir), { recursive: true });
  return root;
}

describe('resolveLibraryClosure', () => {
  it('follows NEEDED transitively, through absolute symlinks inside the root, and RUNPATH with $ORIGIN', async () => {
    const root = fakeRoot();
    writeFileSync(join(root, 'lib/aarch64-linux-gnu/ld-linux-aarch64.so.1'), craftElf({ soname: 'ld-linux-aarch64.so.1' }));
    // Debian's loader link is absolute: it must resolve inside the root, not on the host.
    symlinkSync('/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1', join(root, 'lib/ld-linux-aarch64.so.1'));
    writeFileSync(join(root, 'lib/aarch64-linux-gnu/libc.so.6'), craftElf({ soname: 'libc.so.6', needed: ['ld-linux-aarch64.so.1'] }));
    writeFileSync(join(root, 'usr/lib/aarch64-linux-gnu/libgmp.so.10.4.1'), craftElf({ soname: 'libgmp.so.10', needed: ['libc.so.6'] }));
    symlinkSync('libgmp.so.10.4.1', join(root, 'usr/lib/aarch64-linux-gnu/libgmp.so.10'));
    writeFileSync(join(root, 'opt/app/lib/libprivate.so'), craftElf({ needed: ['libc.so.6'] }));
    writeFileSync(
      join(root, 'opt/app/tool'),
      craftElf({ interpreter: '/lib/ld-linux-aarch64.so.1', needed: ['libgmp.so.10', 'libprivate.so', 'libc.so.6'], runpath: '$ORIGIN/lib' }),
    );

    const closure = await resolveLibraryClosure(root, ['/opt/app/tool']);
    const byGuest = Object.fromEntries(closure.objects.map((o) => [o.guestPath, o]));
    expect(Object.keys(byGuest).sort()).toEqual([
      '/lib/aarch64-linux-gnu/libc.so.6',
      '/lib/ld-linux-aarch64.so.1',
      '/opt/app/lib/libprivate.so',
      '/usr/lib/aarch64-linux-gnu/libgmp.so.10',
    ]);
    expect(byGuest['/lib/ld-linux-aarch64.so.1']!.hostPath).toBe(join(root, 'lib/aarch64-linux-gnu/ld-linux-aarch64.so.1'));
    expect(byGuest['/usr/lib/aarch64-linux-gnu/libgmp.so.10']!.hostPath).toBe(join(root, 'usr/lib/aarch64-linux-gnu/libgmp.so.10.4.1'));
    expect(byGuest['/opt/app/lib/libprivate.so']!.neededBy).toBe('/opt/app/tool');
  });

  it('names the binary and the soname when a library is missing', async () => {
    const root = fakeRoot();
    writeFileSync(join(root, 'bin/dropbear'), craftElf({ needed: ['libgmp.so.10'] }));
    await expect(resolveLibraryClosure(root, ['/bin/dropbear'])).rejects.toMatchObject({
      code: 'E_ELF_NEEDED',
      message: expect.stringMatching(/\/bin\/dropbear needs libgmp\.so\.10/),
    });
  });

  it('skips a same-named library of another machine, as the loader does', async () => {
    const root = fakeRoot();
    writeFileSync(join(root, 'lib/aarch64-linux-gnu/libz.so.1'), craftElf({ machine: 62 }));
    writeFileSync(join(root, 'usr/lib/aarch64-linux-gnu/libz.so.1'), craftElf({}));
    writeFileSync(join(root, 'bin/app'), craftElf({ needed: ['libz.so.1'] }));
    const closure = await resolveLibraryClosure(root, ['/bin/app']);
    expect(closure.objects.map((o) => o.guestPath)).toEqual(['/usr/lib/aarch64-linux-gnu/libz.so.1']);
  });

  it('resolves a cross-compiled binary against the host aarch64 sysroot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pilot-sysroot-'));
    writeFileSync(join(dir, 'main.c'), '#include <math.h>\nint main(int c, char **v) { return (int)cos(c); }\n');
    mkdirSync(join(dir, 'root/bin'), { recursive: true });
    execFileSync('aarch64-linux-gnu-gcc', ['-O1', '-o', join(dir, 'root/bin/main'), join(dir, 'main.c'), '-lm']);
    // The cross sysroot keeps its libraries in /usr/aarch64-linux-gnu/lib: they become the root's /lib.
    execFileSync('cp', ['-a', '/usr/aarch64-linux-gnu/lib', join(dir, 'root/lib')]);
    const closure = await resolveLibraryClosure(join(dir, 'root'), ['/bin/main'], { libraryDirs: ['/lib'] });
    const sonames = closure.objects.map((o) => o.soname).sort();
    expect(sonames).toEqual(['ld-linux-aarch64.so.1', 'libc.so.6', 'libm.so.6']);
  });
});

describe('resolveInRoot', () => {
  it('never escapes the root through .. or absolute links', async () => {
    const root = fakeRoot();
    writeFileSync(join(root, 'bin/real'), 'x');
    symlinkSync('/../../../bin/real', join(root, 'bin/up'));
    expect(await resolveInRoot(root, '/bin/up')).toBe(join(root, 'bin/real'));
    expect(await resolveInRoot(root, '/bin/missing')).toBeUndefined();
  });
});

// Builds the real images from Debian packages (cached in the default cache, so only the first run is slow).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import ssh2 from 'ssh2';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildImagesWithReport, type ImageBuildReport } from '../../harness/images/build.ts';
import { S_IFDIR, S_IFMT, readCpio, type CpioMember } from '../../harness/images/cpio.ts';
import { EM_AARCH64, isElf, parseElf } from '../../harness/images/elf.ts';
import { GUEST_READY_PREFIX } from '../../harness/images/guest-contract.ts';
import { ROOTFS_TEMPLATE_DIR } from '../../harness/images/initramfs.ts';
import { BASE_GUEST_MODULES, moduleName, parseModulesDep } from '../../harness/images/modules.ts';

let report: ImageBuildReport;
let members: Map<string, CpioMember>;

/** Follows symlinks inside the archive, the way the guest's loader would. */
function memberAt(path: string): CpioMember | undefined {
  let current = path.replace(/^\/+/, '');
  for (let hops = 0; hops < 20; hops++) {
    const parts = current.split('/');
    let prefix = '';
    let redirected = false;
    for (const [i, part] of parts.entries()) {
      const candidate = prefix ? `${prefix}/${part}` : part;
      const member = members.get(candidate);
      if (!member) return undefined;
      if ((member.mode & S_IFMT) === 0o120000) {
        const target = member.data.toString();
        const base = target.startsWith('/') ? target : posix.join(prefix || '.', target);
        current = posix.normalize(posix.join(base, ...parts.slice(i + 1))).replace(/^\/+/, '');
        redirected = true;
        break;
      }
      prefix = candidate;
    }
    if (!redirected) return members.get(prefix);
  }
  return undefined;
}

beforeAll(async () => {
  report = await buildImagesWithReport({});
  members = new Map(readCpio(readFileSync(report.images.initramfsPath)).map((m) => [m.path, m]));
}, 180_000);

describe('buildImages from Debian packages', () => {
  it('returns a kernel, its modules tree with modules.dep, headers and Xen', () => {
    const { kernel, xenPath } = report.images;
    expect(kernel.release).toMatch(/^\d+\.\d+\.\d+-\d+-arm64$/);
    // arm64 Image header: "ARM\x64" at offset 0x38, for the kernel and for Xen alike.
    expect(readFileSync(kernel.imagePath).subarray(0x38, 0x3c).toString('latin1')).toBe('ARM\x64');
    expect(readFileSync(xenPath).subarray(0x38, 0x3c).toString('latin1')).toBe('ARM\x64');
    expect(statSync(join(kernel.modulesRoot, 'lib/modules', kernel.release, 'modules.dep')).size).toBeGreaterThan(1000);
    expect(statSync(join(kernel.buildDir!, 'Module.symvers')).isFile()).toBe(true);
  });

  it('puts /init, the programs and the readiness contract into the initramfs', () => {
    expect(members.get('init')!.data.equals(readFileSync(join(ROOTFS_TEMPLATE_DIR, 'init')))).toBe(true);
    expect(members.get('init')!.mode & 0o777).toBe(0o755);
    expect(members.get('init')!.data.toString()).toContain(`${GUEST_READY_PREFIX} boot_id=`);
    for (const program of ['bin/busybox', 'bin/dropbear', 'bin/kexec']) {
      const data = memberAt(program)?.data;
      expect(data && isElf(data), program).toBe(true);
      expect(parseElf(data!, program).machine).toBe(EM_AARCH64);
    }
  });

  it('carries the full shared-library closure of every ELF in the archive', () => {
    let checked = 0;
    for (const member of members.values()) {
      if ((member.mode & S_IFMT) !== 0o100000 || !isElf(member.data) || member.path.endsWith('.ko')) continue;
      const info = parseElf(member.data, member.path);
      if (info.interpreter) expect(memberAt(info.interpreter), `${member.path}: loader ${info.interpreter}`).toBeDefined();
      for (const soname of info.needed) {
        const found = ['lib/aarch64-linux-gnu', 'usr/lib/aarch64-linux-gnu', 'lib'].some((dir) => memberAt(`${dir}/${soname}`));
        expect(found, `${member.path} needs ${soname}`).toBe(true);
      }
      checked++;
    }
    // busybox, dropbear, kexec, the loader, libc and the libraries dropbear and kexec pull in, such as libgmp and libxenctrl.
    expect(checked).toBeGreaterThanOrEqual(8);
    expect(memberAt('lib/aarch64-linux-gnu/libgmp.so.10')).toBeDefined();
    expect(memberAt('lib/aarch64-linux-gnu/libxenctrl.so.4.17')).toBeDefined();
  });

  it('lists the virtio network modules in dependency order, with a modules.dep for modprobe', () => {
    const release = report.images.kernel.release;
    const dir = `lib/modules/${release}`;
    const order = members.get(`${dir}/pilot-modules.load`)!.data.toString().trim().split('\n');
    const names = order.map(moduleName);
    for (const name of BASE_GUEST_MODULES) expect(names).toContain(name);
    const dep = parseModulesDep(members.get(`${dir}/modules.dep`)!.data.toString());
    for (const [i, path] of order.entries()) {
      expect(members.get(`${dir}/${path}`), path).toBeDefined();
      for (const needed of dep.deps.get(path) ?? []) expect(order.indexOf(needed), `${needed} before ${path}`).toBeLessThan(i);
    }
  });

  it('authorizes exactly the build key for root, with sshd-acceptable modes', () => {
    const { sshKey } = report.images;
    const keys = members.get('root/.ssh/authorized_keys')!;
    expect(keys.data.toString().trim()).toBe(sshKey.publicKey);
    expect(keys.mode & 0o777).toBe(0o600);
    expect(members.get('root/.ssh')!.mode).toBe(S_IFDIR | 0o700);
    expect(members.get('etc/passwd')!.data.toString()).toMatch(/^root:x:0:0:[^:]*:\/root:\/bin\/sh$/m);
    expect(statSync(sshKey.privateKeyPath).mode & 0o777).toBe(0o600);
    const parsed = ssh2.utils.parseKey(readFileSync(sshKey.privateKeyPath));
    if (parsed instanceof Error) throw parsed;
    expect(sshKey.publicKey.startsWith(`ssh-ed25519 ${parsed.getPublicSSH().toString('base64')}`)).toBe(true);
  });

  it('takes under 5 s the second time, every piece from the cache', async () => {
    const started = Date.now();
    const again = await buildImagesWithReport({});
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(5000);
    expect(again.pieces.filter((p) => p.built)).toEqual([]);
    expect(again.images).toEqual(report.images);
  });

  it('rebuilds only the initramfs when /init changes', async () => {
    const template = mkdtempSync(join(tmpdir(), 'pilot-rootfs-'));
    cpSync(ROOTFS_TEMPLATE_DIR, template, { recursive: true });
    writeFileSync(join(template, 'init'), `${readFileSync(join(template, 'init'), 'utf8')}# edited ${Date.now()} ${Math.random()}\n`);
    const edited = await buildImagesWithReport({ rootfsTemplateDir: template });
    try {
      const built = edited.pieces.filter((p) => p.built).map((p) => p.piece);
      expect(built).toEqual(['initramfs']);
      const before = Object.fromEntries(report.pieces.map((p) => [p.piece, p.key]));
      const after = Object.fromEntries(edited.pieces.map((p) => [p.piece, p.key]));
      expect(after.kernel).toBe(before.kernel);
      expect(after.userland).toBe(before.userland);
      expect(after.initramfs).not.toBe(before.initramfs);
    } finally {
      // This entry exists only for the test; leave the shared cache as it was.
      await rm(dirname(edited.images.initramfsPath), { recursive: true, force: true });
    }
  }, 60_000);

  it('exposes headers an out-of-tree arm64 module builds against', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pilot-mod-'));
    writeFileSync(join(dir, 'hello.c'), '#include <linux/module.h>\nstatic int __init h(void) { return 0; }\nmodule_init(h);\nMODULE_LICENSE("GPL");\n');
    writeFileSync(join(dir, 'Kbuild'), 'obj-m := hello.o\n');
    execFileSync('make', ['-s', '-C', report.images.kernel.buildDir!, `M=${dir}`, 'ARCH=arm64', 'CROSS_COMPILE=aarch64-linux-gnu-', 'modules'], { stdio: 'pipe' });
    const info = execFileSync('modinfo', ['-F', 'vermagic', join(dir, 'hello.ko')], { encoding: 'utf8' });
    expect(info.split(' ')[0]).toBe(report.images.kernel.release);
  }, 60_000);
});

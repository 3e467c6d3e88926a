// --gdb's printed command, and the vmlinux it names: the build tree's, Debian's -dbg file when present, else none and why.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelArtifact } from '../../harness/images/image-set.ts';
import type { KernelUnderTest } from '../../harness/kernel/input.ts';
import type { RunDeploy } from '../../harness/runner/deploy-stage.ts';
import { debianDebugVmlinux, gdbCommandLine, gdbNotice, gdbSymbols } from '../../harness/runner/gdb-command.ts';

const debianBoot: KernelArtifact = { release: '6.1.0-57-arm64', packageVersion: '6.1.158-1', imagePath: '/c/vmlinuz', modulesRoot: '/c/m', buildDir: '/c/headers' };

function deployOf(kernel: Partial<KernelUnderTest>): RunDeploy {
  return { kernel: { release: '6.1.192', source: 'build-dir', buildDir: undefined, ...kernel } as KernelUnderTest, spec: { kind: 'build-dir', dir: kernel.buildDir ?? '/x' }, deployer: {} as RunDeploy['deployer'] };
}

describe('gdbCommandLine', () => {
  it('targets the stub on 127.0.0.1, with the vmlinux first when there is one', () => {
    expect(gdbCommandLine(41234)).toBe("gdb-multiarch -ex 'target remote 127.0.0.1:41234'");
    expect(gdbCommandLine(41234, '/src/linux/vmlinux')).toBe("gdb-multiarch /src/linux/vmlinux -ex 'target remote 127.0.0.1:41234'");
  });

  it('prints the command and which kernel its symbols are of', () => {
    expect(gdbNotice(41234, { vmlinux: '/src/linux/vmlinux', note: 'symbols of the kernel under test' })).toEqual([
      "gdbstub on 127.0.0.1:41234: gdb-multiarch /src/linux/vmlinux -ex 'target remote 127.0.0.1:41234'",
      '  symbols of the kernel under test',
    ]);
  });
});

describe('gdbSymbols', () => {
  it("names a build tree's vmlinux for the kernel it deploys", async () => {
    const tree = await mkdtemp(join(tmpdir(), 'pilot-tree-'));
    await writeFile(join(tree, 'vmlinux'), 'ELF');
    const symbols = await gdbSymbols(debianBoot, deployOf({ source: 'build-dir', buildDir: tree }));
    expect(symbols.vmlinux).toBe(join(tree, 'vmlinux'));
    expect(symbols.note).toBe('symbols of the kernel under test 6.1.192, from its deploy on (6.1.0-57-arm64 runs before it)');
  });

  it('says so when the build tree has no vmlinux', async () => {
    const tree = await mkdtemp(join(tmpdir(), 'pilot-tree-'));
    await mkdir(join(tree, 'arch'), { recursive: true });
    const symbols = await gdbSymbols(debianBoot, deployOf({ source: 'build-dir', buildDir: tree }));
    expect(symbols.vmlinux).toBeUndefined();
    expect(symbols.note).toBe(`no symbols: no vmlinux beside the kernel under test 6.1.192, from its deploy on (6.1.0-57-arm64 runs before it) in ${tree}`);
  });

  it("points a Debian kernel at its -dbg package's vmlinux when this host lacks it", async () => {
    const symbols = await gdbSymbols({ ...debianBoot, release: '6.1.0-999-arm64' }, undefined);
    expect(debianDebugVmlinux('6.1.0-999-arm64')).toBe('/usr/lib/debug/boot/vmlinux-6.1.0-999-arm64');
    expect(symbols.vmlinux).toBeUndefined();
    expect(symbols.note).toBe(
      "no symbols: Debian's kernel 6.1.0-999-arm64 ships its vmlinux in linux-image-6.1.0-999-arm64-dbg (/usr/lib/debug/boot/vmlinux-6.1.0-999-arm64), " +
        'which this host does not have; apt-get download linux-image-6.1.0-999-arm64-dbg:arm64, then dpkg-deb -x it and give gdb that file',
    );
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { debFileName, parseDependsOutput, parseShowOutput, type AptPackage } from '../../harness/images/apt.ts';
import { dependsConstraint, headersPackageFor, kernelShowNames, resolveKernelPackageNames } from '../../harness/images/kernel.ts';
import { isLibraryPackage, reachableArm64Packages, userlandAptRoots } from '../../harness/images/userland.ts';

// Real `apt-cache depends --recurse` and `apt-cache show` output captured on Debian 12 (arm64 foreign arch).
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('apt-cache depends output', () => {
  const graph = parseDependsOutput(fixture('apt-depends.txt'));

  it('keeps edges, virtual targets with their providers, and alternatives', () => {
    expect(graph.get('dropbear-bin:arm64')!.map((e) => e.target)).toEqual(['libc6:arm64', 'libcrypt1:arm64', 'libtomcrypt1:arm64', 'libtommath1:arm64', 'zlib1g:arm64']);
    const kexec = graph.get('kexec-tools:arm64')!;
    expect(kexec.find((e) => e.target === 'debconf:arm64')).toMatchObject({ virtual: true, orNext: true, providers: ['debconf'] });
  });

  it('resolves the metapackage to the versioned kernel and its headers packages', () => {
    const names = resolveKernelPackageNames(graph, 'linux-image-arm64');
    expect(names).toEqual({
      image: 'linux-image-6.1.0-56-arm64',
      headers: 'linux-headers-6.1.0-56-arm64',
      headersCommon: 'linux-headers-6.1.0-56-common',
      kbuild: 'linux-kbuild-6.1',
    });
    expect(kernelShowNames(names)).toEqual(['linux-image-6.1.0-56-arm64:arm64', 'linux-headers-6.1.0-56-arm64:arm64', 'linux-headers-6.1.0-56-common']);
    expect(headersPackageFor('linux-image-6.1.0-56-rt-arm64')).toBe('linux-headers-6.1.0-56-rt-arm64');
  });

  it('takes a versioned kernel package as it is', () => {
    expect(resolveKernelPackageNames(graph, 'linux-image-6.1.0-56-arm64').image).toBe('linux-image-6.1.0-56-arm64');
  });

  it('finds the library closure of the guest programs through arm64 Depends only', () => {
    const roots = userlandAptRoots();
    const reachable = reachableArm64Packages(graph, roots);
    for (const lib of ['libc6:arm64', 'libgmp10:arm64', 'libtomcrypt1:arm64', 'zlib1g:arm64', 'libxenmisc4.17:arm64', 'libxentoolcore1:arm64', 'libgcc-s1:arm64']) {
      expect(reachable).toContain(lib);
    }
    // debconf is arch-all and only a virtual alternative: not followed, nor is anything behind it.
    expect(reachable.some((name) => name.startsWith('debconf') || name.startsWith('perl'))).toBe(false);
    const onlyLibs = reachableArm64Packages(graph, roots, (name) => name.startsWith('lib'));
    expect(onlyLibs).not.toContain('zlib1g:arm64');
    expect(onlyLibs).toContain('libgmp10:arm64');
  });
});

describe('apt-cache show output', () => {
  const shown = parseShowOutput(fixture('apt-show.txt'));

  it('reads version, arch, size, SHA256 and Depends of each stanza', () => {
    const zlib = shown.get('zlib1g:arm64')!;
    expect(zlib).toMatchObject({ name: 'zlib1g', arch: 'arm64', version: '1:1.2.13.dfsg-1', section: 'libs', size: 82744 });
    expect(zlib.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(shown.get('linux-headers-6.1.0-56-common')).toMatchObject({ arch: 'all' });
    expect(debFileName(zlib)).toBe('zlib1g_1%3a1.2.13.dfsg-1_arm64.deb');
  });

  it('finds the headers version constraint on linux-kbuild', () => {
    const headers = shown.get('linux-headers-6.1.0-56-arm64:arm64')!;
    expect(dependsConstraint(headers.depends, 'linux-kbuild-6.1')).toEqual({ op: '>=', version: '6.1.192-2' });
    expect(dependsConstraint(headers.depends, 'linux-headers-6.1.0-56-common')).toEqual({ op: '=', version: '6.1.192-2' });
    expect(dependsConstraint(headers.depends, 'gcc-12')).toBeUndefined();
  });

  it('counts libs-section packages and lib* names as libraries', () => {
    const pkg = (name: string, section: string): AptPackage => ({ name, section, arch: 'arm64', version: '1', depends: '', filename: 'f', size: 1, sha256: 'x' });
    expect(isLibraryPackage(pkg('zlib1g', 'libs'))).toBe(true);
    expect(isLibraryPackage(pkg('libxenmisc4.17', 'admin'))).toBe(true);
    expect(isLibraryPackage(pkg('gcc-12-base', 'libs'))).toBe(true);
    expect(isLibraryPackage(pkg('debconf', 'admin'))).toBe(false);
  });
});

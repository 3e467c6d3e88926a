// The machine DTB: QEMU's real tree for the exact machine, the simulated SoC on top, and overlays checked against what the machine has.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../harness/core/errors.ts';
import { buildMachineDtb } from '../../harness/images/devicetree/build-dtb.ts';
import { findNode, parseFdt, phandleOf, propCells, propString, propStrings, regions, walk, type FdtNode } from '../../harness/images/devicetree/fdt.ts';
import { listOverlays, resolveOverlays } from '../../harness/images/devicetree/overlays.ts';
import { dtbShapingArgs } from '../../harness/images/devicetree/qemu-dump.ts';
import { rejectionOf } from '../fakes/rejection.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pilot-dtb-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const machine = (options: { el2: boolean; smmu: boolean; memory?: string }) => [
  '-nodefaults',
  '-machine', `virt,virtualization=${options.el2 ? 'on' : 'off'},gic-version=2${options.smmu ? ',iommu=smmuv3' : ''}`,
  '-cpu', 'max',
  '-smp', '2',
  '-m', options.memory ?? '1024',
  '-display', 'none',
  '-netdev', 'user,id=net0',
  '-device', 'virtio-net-pci,netdev=net0,romfile=',
  '-device', 'edu,addr=0x10,dma_mask=0xffffffff',
];
const KVM_EL2 = machine({ el2: true, smmu: true });
const EL1 = machine({ el2: false, smmu: false });

async function build(name: string, qemuArgs: string[], overlays: string[]) {
  const dtb = await buildMachineDtb({ qemuArgs, overlays, outPath: join(dir, `${name}.dtb`) });
  return { dtb, root: parseFdt(await readFile(dtb.path)) };
}

function rejection(promise: Promise<unknown>): Promise<InputError> {
  return rejectionOf(promise, InputError);
}

const node = (root: FdtNode, path: string) => {
  const found = findNode(root, path);
  expect(found, path).toBeDefined();
  return found!;
};

describe('parseFdt', () => {
  it('reads what dtc compiled', async () => {
    const source = join(dir, 't.dts');
    await writeFile(source, '/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; a: node@1 { compatible = "x,y", "x,z"; reg = <0 0x1000 0 0x20>; phandle = <7>; sub { s = "v"; }; }; b { ref = <&a 3>; }; };\n');
    await execa('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', join(dir, 't.dtb'), source]);
    const root = parseFdt(await readFile(join(dir, 't.dtb')));
    const a = node(root, '/node@1');
    expect(propStrings(a, 'compatible')).toEqual(['x,y', 'x,z']);
    expect(regions(root, a)).toEqual([{ base: 0x1000, size: 0x20 }]);
    expect(propCells(node(root, '/b'), 'ref')).toEqual([phandleOf(a), 3]);
    expect(propString(node(root, '/node@1/sub'), 's')).toBe('v');
    expect([...walk(root)].map((n) => n.path)).toEqual(['/', '/node@1', '/node@1/sub', '/b']);
  });

  it('refuses a blob that is not a DTB', () => {
    expect(() => parseFdt(Buffer.from('not a device tree at all, just words'))).toThrow(/magic/);
  });
});

describe('overlays', () => {
  it('lists the overlays a scenario may name, without the base fragment', async () => {
    const names = (await listOverlays()).map((o) => o.name);
    expect(names).toContain('el2');
    expect(names).not.toContain('qcom-pas-sim');
    expect((await listOverlays()).find((o) => o.name === 'el2')?.summary).toMatch(/^No hypervisor: Linux runs at EL2/);
  });

  it('rejects an unknown name with the list of known ones', async () => {
    const error = await rejection(resolveOverlays(['el2', 'el3']));
    expect(error.code).toBe('E_DTB_OVERLAY_UNKNOWN');
    expect(error.message).toMatch(/"el3" is not a known overlay; known overlays: .*el2/);
    expect((await rejection(resolveOverlays(['qcom-pas-sim']))).message).toMatch(/always applied/);
    expect((await rejection(resolveOverlays(['el2', 'el2']))).code).toBe('E_DTB_OVERLAY_REPEATED');
  });
});

describe('dtbShapingArgs', () => {
  it('keeps what shapes the tree and drops host backends and PCI devices', () => {
    expect(
      dtbShapingArgs([
        '-nodefaults', '-machine', 'virt,iommu=smmuv3', '-m', '1024', '-chardev', 'stdio,id=c', '-serial', 'chardev:c',
        '-netdev', 'user,hostfwd=tcp:127.0.0.1:2222-:22', '-device', 'edu,addr=0x10', '-dtb', 'old.dtb', '-no-reboot',
        '-kernel', 'xen', '-append', '-weird first word', '-device', 'guest-loader,addr=0x49000000,kernel=Image',
      ]),
    ).toEqual(['-machine', 'virt,iommu=smmuv3', '-m', '1024', '-kernel', 'xen', '-append', '-weird first word', '-device', 'guest-loader,addr=0x49000000,kernel=Image']);
  });
});

describe('buildMachineDtb', () => {
  it('adds carve-outs and processor nodes without iommus to the base tree', async () => {
    const { dtb, root } = await build('el1', EL1, []);
    expect(dtb.applied).toEqual(['qcom-pas-sim']);
    expect(dtb.carveouts.map((c) => [c.base, c.size])).toEqual([
      [0x78000000, 0x200000],
      [0x78200000, 0x200000],
      [0x78400000, 0x200000],
    ]);
    const reserved = node(root, '/reserved-memory');
    for (const child of reserved.children) expect(child.props.has('no-map')).toBe(true);
    const adsp = node(root, '/pcie@10000000/remoteproc@10,0');
    expect(propString(adsp, 'compatible')).toBe('pilot,sa8775p-adsp-pas-sim');
    expect(propCells(adsp, 'reg')).toEqual([0x8000, 0, 0, 0, 0]);
    expect(propCells(adsp, 'memory-region')).toEqual([phandleOf(node(root, '/reserved-memory/pil-adsp@78000000'))]);
    const withIommu = [...walk(root)].filter((n) => n.props.has('iommus') || (n.props.has('iommu-map') && n.path !== '/pcie@10000000'));
    expect(withIommu.map((n) => n.path)).toEqual([]);
  });

  it('gives each processor its stream on the QEMU SMMU with the el2 overlay', async () => {
    const { dtb, root } = await build('kvm-el2', KVM_EL2, ['el2']);
    expect(dtb.applied).toEqual(['qcom-pas-sim', 'el2']);
    const smmu = phandleOf(node(root, dtb.symbols.smmu!));
    expect(smmu).toBeGreaterThan(0);
    // QEMU's own host bridge maps requester ids 1:1 onto that SMMU; the processors' streams are their edu devices' ids.
    expect(propCells(node(root, '/pcie@10000000'), 'iommu-map')).toEqual([0, smmu, 0, 0x10000]);
    expect(propCells(node(root, '/pcie@10000000/remoteproc@10,0'), 'iommus')).toEqual([smmu, 0x80]);
    expect(propCells(node(root, '/pcie@10000000/remoteproc@11,0'), 'iommus')).toEqual([smmu, 0x88]);
    expect(propCells(node(root, '/pcie@10000000/video-codec@12,0'), 'iommu-map')).toEqual([0x1, smmu, 0x90, 0x1]);
  });

  it('dumps the same tree from the shaping options as from the full command line', async () => {
    const strip = (path: string) => execa('dtc', ['-q', '-I', 'dtb', '-O', 'dts', path]).then((r) => r.stdout.replace(/\s+(rng|kaslr)-seed = <[^>]*>;/g, ''));
    const full = join(dir, 'full.dtb');
    await execa('qemu-system-aarch64', [...KVM_EL2, '-machine', `dumpdtb=${full}`]);
    const { dtb } = await build('same', KVM_EL2, []);
    const ours = await strip(dtb.path);
    const qemu = await strip(full);
    // Our tree is QEMU's plus what we add; every QEMU line must be there unchanged.
    for (const line of qemu.split('\n').filter((l) => /=|\{/.test(l) && !l.includes('__symbols__'))) expect(ours).toContain(line.trim());
  });

  it('refuses the el2 overlay on a machine without an SMMU', async () => {
    const error = await rejection(build('el1-el2', EL1, ['el2']));
    expect(error.code).toBe('E_DTB_OVERLAY_MISMATCH');
    expect(error.message).toMatch(/&smmu/);
    expect(error.hint).toMatch(/iommu=smmuv3/);
  });

  it('refuses a machine whose RAM does not hold the carve-outs', async () => {
    const error = await rejection(build('small', machine({ el2: false, smmu: false, memory: '512' }), []));
    expect(error.code).toBe('E_DTB_CARVEOUT_RAM');
    expect(error.message).toMatch(/outside the machine's RAM \(0x40000000\+512 MiB\)/);
  });
});

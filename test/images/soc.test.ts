// The simulated SoC inside the guest image: what the initramfs carries, what the cache rebuilds, and one real boot on el1.
import { appendFile, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraError } from '../../harness/core/errors.ts';
import { race } from '../../harness/core/wait.ts';
import { BOOT_DISK_MODULES, buildImagesWithReport, type ImageBuildReport } from '../../harness/images/build.ts';
import { S_IFDIR, S_IFMT, S_IFREG, readCpio, type CpioMember } from '../../harness/images/cpio.ts';
import { buildMachineDtb } from '../../harness/images/devicetree/build-dtb.ts';
import { SIM_SOC_DEVICES, SIM_SOC_OVERLAYS } from '../../harness/images/devicetree/soc.ts';
import { generateFirmware } from '../../harness/images/firmware/generate.ts';
import { GUEST_READY_PREFIX } from '../../harness/images/guest-contract.ts';
import { MODULE_LOAD_LIST, stageModules } from '../../harness/images/initramfs.ts';
import { BASE_GUEST_MODULES, moduleName, parseModulesDep } from '../../harness/images/modules.ts';
import { SIM_MODULE_DEFINES, SIM_MODULE_DEPENDS, SIM_MODULE_SOURCE_DIR } from '../../harness/images/sim-module/build-module.ts';
import { readModinfo } from '../../harness/images/sim-module/modinfo.ts';
import { SIM_MODULE_GUEST_PATH } from '../../harness/images/soc.ts';
import { freeLoopbackPort } from '../../harness/machine/free-port.ts';
import { PROFILES } from '../../harness/model/profile.ts';
import { qemuCommand } from '../../harness/machine/qemu-command.ts';
import { QemuProcess } from '../../harness/machine/qemu-process.ts';
import { SerialConsole } from '../../harness/machine/serial-console.ts';
import { kernelLines } from '../qcom-pas-sim/support/sim-boot.ts';

let work: string;
let report: ImageBuildReport;
let members: Map<string, CpioMember>;

async function archiveMembers(path: string): Promise<Map<string, CpioMember>> {
  return new Map(readCpio(await readFile(path)).map((m) => [m.path, m]));
}

const builtPieces = (r: ImageBuildReport) => r.pieces.filter((p) => p.built).map((p) => p.piece);
const keysByPiece = (r: ImageBuildReport) => Object.fromEntries(r.pieces.map((p) => [p.piece, p.key]));
const isFile = (m: CpioMember) => (m.mode & S_IFMT) === S_IFREG;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pilot-soc-image-'));
  report = await buildImagesWithReport({});
  members = await archiveMembers(report.images.initramfsPath);
}, 600_000);
afterAll(() => rm(work, { recursive: true, force: true }));

describe('the initramfs with the simulated SoC (the default)', () => {
  it('carries the module built for its kernel under extra/, with its own bytes', async () => {
    const { soc, kernel } = report.images;
    expect(soc).toBeDefined();
    expect(soc!.defines).toEqual([]);
    const member = members.get(`lib/modules/${kernel.release}/${SIM_MODULE_GUEST_PATH}`);
    expect(member, SIM_MODULE_GUEST_PATH).toBeDefined();
    expect(member!.data.equals(await readFile(soc!.modulePath))).toBe(true);
    expect(readModinfo(member!.data).get('vermagic')?.[0]?.split(' ')[0]).toBe(kernel.release);
  });

  it('loads mc and videodev after the virtio stack, and everything the module depends on before it', () => {
    const dir = `lib/modules/${report.images.kernel.release}`;
    const order = members.get(`${dir}/${MODULE_LOAD_LIST}`)!.data.toString().trim().split('\n');
    const names = order.map(moduleName);
    const lastNetwork = Math.max(...BASE_GUEST_MODULES.map((name) => names.indexOf(name)));
    for (const name of SIM_MODULE_DEPENDS) {
      expect(names, name).toContain(name);
      expect(names.indexOf(name), `${name} after the network stack`).toBeGreaterThan(lastNetwork);
    }
    // /init loads the SoC module itself, after SSH is up; it is not in the list.
    expect(names).not.toContain('qcom_pas_sim');
    const dep = parseModulesDep(members.get(`${dir}/modules.dep`)!.data.toString());
    const needs = dep.deps.get(SIM_MODULE_GUEST_PATH) ?? [];
    expect(needs.map(moduleName).sort()).toEqual([...SIM_MODULE_DEPENDS].sort());
    for (const path of needs) expect(order, path).toContain(path);
    const declared = readModinfo(members.get(`${dir}/${SIM_MODULE_GUEST_PATH}`)!.data).get('depends')?.[0]?.split(',') ?? [];
    for (const name of declared) expect(names, `modinfo depends ${name}`).toContain(name);
  });

  it('refuses to stage the module without the modules it depends on', async () => {
    const { kernel, soc } = report.images;
    const staging = join(work, 'staging-without-media');
    const error = await stageModules(kernel, BASE_GUEST_MODULES, staging, undefined, [{ path: SIM_MODULE_GUEST_PATH, source: soc!.modulePath }]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InfraError);
    expect((error as InfraError).code).toBe('E_MODULE_DEPENDS');
    // .modinfo names direct dependencies only; videodev's own (mc) would come with it through modules.dep.
    expect((error as InfraError).message).toContain('needs videodev,');
  });

  it('carries exactly the generated firmware under /lib/firmware, byte for byte', async () => {
    const generated = await generateFirmware(join(work, 'firmware'));
    const inArchive = [...members.values()].filter((m) => m.path.startsWith('lib/firmware/') && isFile(m)).map((m) => m.path);
    expect(inArchive.sort()).toEqual(generated.images.map((i) => `lib/firmware/${i.name}`).sort());
    for (const image of generated.images) {
      expect(members.get(`lib/firmware/${image.name}`)!.data.equals(await readFile(image.path)), image.name).toBe(true);
    }
    expect(generated.images.map((i) => i.name)).toEqual(expect.arrayContaining(['qcom/sa8775p/adsp.mbn', 'qcom/sa8775p/cdsp0.mbn', 'qcom/vpu/vpu30_p4.mbn']));
    // The kernel's unpacker creates no missing parents.
    for (const dir of ['lib/firmware', 'lib/firmware/qcom', 'lib/firmware/qcom/sa8775p', 'lib/firmware/qcom/vpu']) {
      expect(members.get(dir)?.mode, dir).toBe(S_IFDIR | 0o755);
    }
  });

  it('has /init load the module after dropbear listens and before the readiness line, without stopping on failure', () => {
    const init = members.get('init')!.data.toString();
    const listening = init.indexOf('dropbear is not listening');
    const insmod = init.indexOf('insmod "$sim_module"');
    const ready = init.indexOf(`echo "${GUEST_READY_PREFIX}`);
    expect(init).toContain(`sim_module=/lib/modules/$release/${SIM_MODULE_GUEST_PATH}`);
    expect(listening).toBeGreaterThan(0);
    expect(insmod).toBeGreaterThan(listening);
    expect(ready).toBeGreaterThan(insmod);
    const block = init.slice(insmod, ready);
    expect(block).toContain('echo "pilot-init: qcom_pas_sim loaded"');
    expect(block).toContain('echo "pilot-guest-error: insmod extra/qcom_pas_sim.ko');
    // fail() drops to the rescue shell; a broken module must not keep SSH from being announced.
    expect(block).not.toMatch(/\bfail\b|rescue_shell/);
  });
});

describe('the SoC pieces in the cache', () => {
  it('rebuild nothing when nothing changed, in under 5 s', async () => {
    const started = Date.now();
    const again = await buildImagesWithReport({});
    const elapsed = Date.now() - started;
    console.log(`warm buildImages: ${elapsed} ms; initramfs ${members.size} members, ${(await readFile(report.images.initramfsPath)).length} bytes`);
    expect(builtPieces(again)).toEqual([]);
    expect(again.pieces.map((p) => p.piece)).toEqual(expect.arrayContaining(['soc-module', 'soc-firmware']));
    expect(again.images).toEqual(report.images);
    expect(elapsed).toBeLessThan(5000);
  });

  it('rebuild only the module and the initramfs when a .c file of the module changes', async () => {
    const sources = join(work, 'qcom-pas-sim');
    await cp(SIM_MODULE_SOURCE_DIR, sources, { recursive: true });
    const marker = `pilot-soc-test-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await appendFile(join(sources, 'main.c'), `\nstatic const char pilot_test_marker[] __used = "${marker}";\n`);
    const edited = await buildImagesWithReport({ simModuleSourceDir: sources });
    try {
      expect(builtPieces(edited)).toEqual(['soc-module', 'initramfs']);
      const before = keysByPiece(report);
      const after = keysByPiece(edited);
      for (const piece of ['kernel', 'kernel-headers', 'xen', 'userland', 'soc-firmware']) expect(after[piece], piece).toBe(before[piece]);
      expect(after['soc-module']).not.toBe(before['soc-module']);
      expect(after.initramfs).not.toBe(before.initramfs);
      // The new archive carries the rebuilt module, not the cached one.
      const archive = await archiveMembers(edited.images.initramfsPath);
      const module = archive.get(`lib/modules/${edited.images.kernel.release}/${SIM_MODULE_GUEST_PATH}`)!.data;
      expect(module.includes(marker)).toBe(true);
    } finally {
      // These entries exist only for the test; leave the shared cache as it was.
      await rm(dirname(edited.images.soc!.modulePath), { recursive: true, force: true });
      await rm(dirname(edited.images.initramfsPath), { recursive: true, force: true });
    }
  }, 180_000);

  it('keep a define variant of the module in entries of its own', async () => {
    const variant = await buildImagesWithReport({ simModuleDefines: [SIM_MODULE_DEFINES.skipCarveoutMap] });
    const before = keysByPiece(report);
    const after = keysByPiece(variant);
    expect(variant.images.soc!.defines).toEqual([SIM_MODULE_DEFINES.skipCarveoutMap]);
    expect(after['soc-module']).not.toBe(before['soc-module']);
    expect(after.initramfs).not.toBe(before.initramfs);
    expect(after['soc-firmware']).toBe(before['soc-firmware']);
    const archive = await archiveMembers(variant.images.initramfsPath);
    const module = archive.get(`lib/modules/${variant.images.kernel.release}/${SIM_MODULE_GUEST_PATH}`)!.data.toString('latin1');
    expect(module).toContain('carve-out left unmapped (test build)');
    expect(members.get(`lib/modules/${report.images.kernel.release}/${SIM_MODULE_GUEST_PATH}`)!.data.toString('latin1')).not.toContain(
      'carve-out left unmapped (test build)',
    );
    // The variant did not replace the normal build.
    expect(builtPieces(await buildImagesWithReport({}))).toEqual([]);
  }, 180_000);
});

describe('the initramfs without the SoC (soc: false)', () => {
  it('has no module, no media modules and no firmware, and no SoC pieces', async () => {
    const plain = await buildImagesWithReport({ soc: false });
    expect(plain.images.soc).toBeUndefined();
    expect(plain.pieces.map((p) => p.piece).filter((p) => p.startsWith('soc'))).toEqual([]);
    expect(plain.images.initramfsPath).not.toBe(report.images.initramfsPath);
    const archive = await archiveMembers(plain.images.initramfsPath);
    const dir = `lib/modules/${plain.images.kernel.release}`;
    expect([...archive.keys()].filter((p) => p.startsWith('lib/firmware') || p.startsWith(`${dir}/extra`))).toEqual([]);
    const names = archive.get(`${dir}/${MODULE_LOAD_LIST}`)!.data.toString().trim().split('\n').map(moduleName);
    expect([...names].sort()).toEqual([...new Set([...BASE_GUEST_MODULES, ...BOOT_DISK_MODULES])].sort());
    expect(archive.get('init')!.data.equals(members.get('init')!.data)).toBe(true);
  }, 180_000);
});

describe('the image booted for real', () => {
  it('on el1 with the edu devices and the SoC DT: /init loads the module before readiness, ADSP and CDSP come up', async () => {
    const { images } = report;
    const spec = {
      profile: PROFILES.el1,
      kernelImage: images.kernel.imagePath,
      initramfs: images.initramfsPath,
      sshPort: await freeLoopbackPort(),
      devices: [...SIM_SOC_DEVICES],
    };
    const dtb = await buildMachineDtb({ qemuArgs: qemuCommand(spec).args, overlays: SIM_SOC_OVERLAYS.el1, outPath: join(work, 'machine.dtb') });
    const serial = new SerialConsole(join(work, 'serial.log'));
    const lines: string[] = [];
    const wanted = [/pilot-init: qcom_pas_sim loaded/, new RegExp(GUEST_READY_PREFIX), /remote processor adsp is now up/, /remote processor cdsp is now up/];
    const settled = new Promise<void>((resolve) => {
      serial.onLine((line) => {
        lines.push(line);
        // A guest error or a refused start is the answer too: stop waiting and let the assertions say what went wrong.
        if (/pilot-guest-error|can't start rproc/.test(line) || wanted.every((p) => lines.some((l) => p.test(l)))) resolve();
        // Readiness without the load line before it means /init skipped the module: nothing more will come.
        if (line.includes(GUEST_READY_PREFIX) && !lines.some((l) => wanted[0]!.test(l))) resolve();
      });
    });
    const qemu = QemuProcess.start(qemuCommand({ ...spec, dtb: dtb.path }), serial);
    try {
      await race(settled, 'the SoC to come up on el1', { deadline: Date.now() + 240_000, dies: [qemu.died] });
    } finally {
      await qemu.stop();
      await serial.close();
    }
    const log = kernelLines(lines.join('\n'));
    const loaded = log.findIndex((l) => l.includes('pilot-init: qcom_pas_sim loaded'));
    const ready = log.findIndex((l) => l.includes(GUEST_READY_PREFIX));
    expect(log.filter((l) => l.includes('pilot-guest-error'))).toEqual([]);
    expect(loaded, 'the load line').toBeGreaterThanOrEqual(0);
    expect(ready, 'readiness after the load line').toBeGreaterThan(loaded);
    expect(log).toContain('CPU: All CPU(s) started at EL1');
    // The rescue shell's prompt may share a console line with the kernel's, so the line is searched, not anchored.
    expect(log.some((l) => /remoteproc remoteproc\d: remote processor adsp is now up$/.test(l))).toBe(true);
    expect(log.some((l) => /remoteproc remoteproc\d: remote processor cdsp is now up$/.test(l))).toBe(true);
  }, 300_000);
});

// Real QEMU as a stand-in board: standin-board.sh boots it outside pilot's machine layer, and pilot reaches it only
// through a board file (SSH on the forwarded port, power and console commands). A scenario runs on it through runScenario,
// a board that never answers is an ERROR naming its host, and Debian's rt kernel is pushed to it by kexec and proven.
// A stand-in that boots through U-Boot from a disk it can write takes the rt kernel by reboot, through the API and the
// CLI, on the board's own initramfs; a board file that declares no U-Boot is refused a reboot deploy before power-on.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssertionFailure, InfraError } from '../../harness/core/errors.ts';
import { race } from '../../harness/core/wait.ts';
import { KexecDeployer } from '../../harness/deploy/kexec.ts';
import { RebootDeployer } from '../../harness/deploy/reboot.ts';
import { resolveKernelInput, type KernelUnderTest } from '../../harness/kernel/input.ts';
import { buildImages } from '../../harness/images/build.ts';
import { writeGzippedCpio } from '../../harness/images/cpio.ts';
import { boardDeployers } from '../../harness/runner/board-deployers.ts';
import { UBOOT_BANNER } from '../../harness/machine/boot-watch.ts';
import type { ImageSet } from '../../harness/images/image-set.ts';
import { loadBoardFile } from '../../harness/machine/board/board-file.ts';
import { BoardMachine } from '../../harness/machine/board/board-machine.ts';
import type { RunningMachine } from '../../harness/machine/machine.ts';
import { readCompareJson } from '../../harness/report/compare/json.ts';
import { readResultsJson } from '../../harness/report/json.ts';
import { createReporterMux } from '../../harness/report/multiplexer.ts';
import type { PlannedRun } from '../../harness/report/reporter.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';
import { loadScenarios } from '../../harness/scenario/load.ts';
import { expectSocUpOnPushedKernel } from '../deploy/support/soc-on-pushed-kernel.ts';
import { rejectionOf } from '../fakes/rejection.ts';
import { artifactsBase, latestResults, startPilot } from './support/pilot-cli.ts';
import { alive } from './support/processes.ts';
import { prepareStandinBoard, type StandinBoard } from './support/standin-board.ts';
import { STEP_KINDS } from '../../harness/steps/registry.ts';

let workDir: string;
let images: ImageSet;
const standins: StandinBoard[] = [];
const controller = new AbortController();

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pilot-board-'));
  images = await buildImages();
}, 600_000);

afterAll(async () => {
  for (const standin of standins) await standin.forceOff();
  if (workDir && !process.env.PILOT_KEEP_ARTIFACTS) await rm(workDir, { recursive: true, force: true });
  else if (workDir) console.log(`artifacts kept in ${workDir}`);
});

async function standin(name: string, options: { extra?: string[]; powerOn?: string; socOverlays?: string[]; bootloader?: 'u-boot'; initramfs?: string } = {}): Promise<StandinBoard> {
  const stateDir = join(workDir, name);
  await mkdir(stateDir, { recursive: true });
  const board = await prepareStandinBoard({ images, stateDir, profile: 'kvm-el2', ...options });
  standins.push(board);
  return board;
}

async function runOnBoard(scenarioFile: string, boardFile: string) {
  const [scenario] = await loadScenarios([scenarioFile], STEP_KINDS);
  const backend = new BoardMachine(await loadBoardFile(boardFile));
  const planned: PlannedRun = { id: `${scenario!.name}@board`, scenario: scenario!.name, file: scenario!.file, profile: backend.profile.name, stepTitles: scenario!.steps.map((step) => step.title) };
  const phases: string[] = [];
  const result = await runScenario({
    planned,
    scenario: scenario!,
    backend,
    artifactsRoot: join(workDir, 'artifacts'),
    reporter: createReporterMux([{ onPhase: (_, phase) => phases.push(phase) }]),
    signal: controller.signal,
  });
  return { result, phases };
}

describe('a board target over SSH', { timeout: 600_000 }, () => {
  it('runs boot-kvm-el2 on the stand-in board, self-check included, and powers it off after', async () => {
    const board = await standin('scenario');
    const { result, phases } = await runOnBoard('scenarios/boot-kvm-el2.yaml', board.boardFile);
    expect(result.status, JSON.stringify(result.failure ?? result.steps.find((step) => step.status !== 'pass'), null, 2)).toBe('pass');
    expect(phases).toEqual(['power-on', 'kernel-boot', 'ssh-ready', 'self-check']);
    expect(result.steps.map((step) => step.status)).toEqual(result.steps.map(() => 'pass'));
    expect(result.steps.length).toBe(5);
    const selfCheck = await readFile(join(result.artifactsDir, 'self-check.txt'), 'utf8');
    expect(selfCheck).toContain('CPU: All CPU(s) started at EL2');
    expect(selfCheck).toContain('VHE mode initialized successfully');
    // The console command's output is the serial log, as QEMU's own is for the QEMU backend.
    expect(await readFile(join(result.artifactsDir, 'serial.log'), 'utf8')).toMatch(/Booting Linux on physical CPU/);
    expect(await readFile(join(result.artifactsDir, 'dmesg.log'), 'utf8')).toContain('CPU: All CPU(s) started at EL2');
    const log = await readFile(join(result.artifactsDir, 'board.log'), 'utf8');
    expect(log).toMatch(/power-on: exited 0/);
    expect(log).toMatch(/power-off: exited 0/);
    expect(result.kernelRelease).toBe(images.kernel.release);
    // power-off ran: the stand-in QEMU is gone.
    expect(await board.qemuPid()).toBeUndefined();
  });

  it('runs soc-bringup on a stand-in board with the simulated SoC: the same scenario as on QEMU, the drivers\' own strings', async () => {
    const board = await standin('soc', { socOverlays: ['el2'] });
    const { result } = await runOnBoard('scenarios/soc-bringup.yaml', board.boardFile);
    expect(result.status, JSON.stringify(result.failure ?? result.steps.find((step) => step.status !== 'pass'), null, 2)).toBe('pass');
    expect(result.steps.map((step) => step.status)).toEqual(result.steps.map(() => 'pass'));
    expect(await readFile(join(result.artifactsDir, 'dmesg.log'), 'utf8')).toContain('remote processor adsp is now up');
    expect(await board.qemuPid()).toBeUndefined();
  });

  it('through the CLI: a scenario naming its board runs there, another on QEMU, in one invocation', async () => {
    const board = await standin('cli-key');
    const scenarioFile = join(workDir, 'on-the-board.yaml');
    await writeFile(
      scenarioFile,
      [
        'name: on-the-board',
        'profiles: [kvm-el2, el1]',
        `board: ${board.boardFile}`,
        'steps:',
        '  - expect-el: 2',
        '  - run: { command: "cat /proc/sys/kernel/random/boot_id" }',
        '',
      ].join('\n'),
    );
    const base = await artifactsBase();
    const result = await startPilot(['run', scenarioFile, 'scenarios/boot-el1.yaml', '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(0);
    const runs = Object.fromEntries((await latestResults(base)).runs.map((run) => [run.id, run]));
    // The board claims kvm-el2, so the scenario's el1 run is not made; boot-el1 has no board and boots QEMU.
    expect(Object.keys(runs).sort()).toEqual(['boot-el1@el1', 'on-the-board@kvm-el2']);
    expect(runs['on-the-board@kvm-el2']!.phases.map((phase) => phase.name)).toContain('power-on');
    expect(runs['boot-el1@el1']!.phases.map((phase) => phase.name)).toContain('qemu-start');
    expect(await board.qemuPid()).toBeUndefined();
  });

  it('through the CLI: --board sends every scenario that lists its profile to the board and names the others', async () => {
    const board = await standin('cli-flag');
    const base = await artifactsBase();
    const result = await startPilot(['run', '--board', board.boardFile, 'scenarios/boot-kvm-el2.yaml', 'scenarios/boot-el1.yaml', '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/claims kvm-el2; not run there: boot-el1/);
    const runs = (await latestResults(base)).runs;
    expect(runs.map((run) => [run.id, run.status])).toEqual([['boot-kvm-el2@kvm-el2', 'pass']]);
    expect(runs[0]!.phases.map((phase) => phase.name)).toEqual(expect.arrayContaining(['power-on', 'ssh-ready', 'self-check']));
  });

  it('through the CLI: compare --board runs both sides on the board, and says which kernel each side ran', async () => {
    const board = await standin('compare', { socOverlays: ['el2'] });
    const base = await artifactsBase();
    const result = await startPilot(['compare', '--board', board.boardFile, '--baseline', 'image', '--patched', 'linux-image-rt-arm64', 'scenarios/soc-bringup.yaml', '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(0);
    const [root] = (await readdir(base, { withFileTypes: true })).filter((entry) => entry.isDirectory() && /^\d{8}-\d{6}/.test(entry.name));
    const comparison = await readCompareJson(join(base, root!.name, 'compare.json'));
    expect(comparison.runs.map((run) => [run.id, run.verdict])).toEqual([['soc-bringup@kvm-el2', 'unchanged']]);
    for (const side of ['baseline', 'patched'] as const) {
      const sideRuns = (await readResultsJson(join(base, root!.name, side, 'results.json'))).runs;
      expect(sideRuns[0]!.phases.map((phase) => phase.name), side).toContain('power-on');
    }
    expect(comparison.patched.kernels).toEqual([expect.stringMatching(/-rt-arm64 \(Debian package linux-image-rt-arm64, build-id [0-9a-f]{12}\)$/)]);
    expect(await board.qemuPid()).toBeUndefined();
  });

  it('reports a board whose power-on starts nothing as an ERROR naming its host and the last attempt', async () => {
    const board = await standin('dead', { powerOn: 'true', extra: ['boot-timeout: 6s'] });
    const { result } = await runOnBoard('scenarios/boot-kvm-el2.yaml', board.boardFile);
    expect(result.status).toBe('error');
    expect(result.failure?.code).toBe('E_BOARD_UNREACHABLE');
    expect(result.failure?.message).toContain(`root@127.0.0.1:${board.port}`);
    expect(result.failure?.message).toMatch(new RegExp(`last tried \\(attempt \\d+\\): ssh connect: .*ECONNREFUSED 127\\.0\\.0\\.1:${board.port}`));
    expect(result.steps).toEqual([]);
  });

  describe('kernel push', () => {
    let board: StandinBoard;
    let running: RunningMachine;
    let rt: KernelUnderTest;

    beforeAll(async () => {
      rt = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
      board = await standin('push');
      const machine = new BoardMachine(await loadBoardFile(board.boardFile));
      const artifactsDir = join(board.stateDir, 'machine');
      await mkdir(artifactsDir, { recursive: true });
      running = await machine.start({ artifactsDir, signal: controller.signal, deadline: Date.now() + 300_000 });
    }, 600_000);

    afterAll(async () => {
      await running?.stop();
    });

    it("kexecs into Debian's rt kernel on the board and proves it is the one running", async () => {
      expect(running.release).toBe(images.kernel.release);
      expect(running.release).not.toBe(rt.release);
      const deployed = await new KexecDeployer({ baseInitramfs: images.initramfsPath }).deploy(running, rt, {
        workDir: join(board.stateDir, 'deploy'),
        signal: controller.signal,
        deadline: Date.now() + 400_000,
      });
      const t = deployed.timings;
      console.log(`board kexec deploy of ${rt.release}: push ${(t.pushMs / 1000).toFixed(1)} s, jump to SSH ${(t.rebootMs / 1000).toFixed(1)} s, total ${(t.totalMs / 1000).toFixed(1)} s`);
      expect(deployed.proof.release).toBe(rt.release);
      expect(deployed.proof.bootId).not.toBe(deployed.previousBootId);
      expect(deployed.proof.procVersion).toBe(rt.versionString);
      if (rt.buildId) expect(deployed.proof.buildId).toBe(rt.buildId);
      expect(deployed.proof.profileCheck.join('\n')).toContain('started at EL2');
      expect(running.release).toBe(rt.release);
      expect(running.bootId).toBe(deployed.proof.bootId);
      expect((await running.guest.exec('uname -r')).stdout.trim()).toBe(rt.release);
      // The new kernel's log streams too: its banner is the rt one.
      await running.guest.kernelLog.sync({ deadline: Date.now() + 30_000 });
      expect(running.guest.kernelLog.records.some((record) => record.text.includes(`Linux version ${rt.release}`))).toBe(true);
    });

    it('sees any reboot through SSH alone: a reboot brings back the kernel the board was powered on with', async () => {
      const before = running.bootId!;
      const rebooted = running.awaitReboot(before, { signal: controller.signal, deadline: Date.now() + 300_000 });
      await running.guest.exec("setsid sh -c 'usleep 300000; reboot -f' </dev/null >/dev/null 2>&1 &");
      const next = await rebooted;
      expect(next.bootId).not.toBe(before);
      expect(next.release).toBe(images.kernel.release);
      expect(running.bootId).toBe(next.bootId);
      expect((await running.guest.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim()).toBe(next.bootId);
    });

    it('reports a board that goes down by itself through died (E_BOARD_SSH_LOST), and stop leaves no process behind', async () => {
      const qemu = await board.qemuPid();
      expect(qemu).toBeDefined();
      // Pulled out from under pilot, as a lab's power cut would: nothing in pilot asked for it.
      process.kill(qemu!, 'SIGKILL');
      const death = await rejectionOf(race(running.died, 'the board to be declared dead', { deadline: Date.now() + 30_000 }), InfraError);
      expect(death.code).toBe('E_BOARD_SSH_LOST');
      expect(death.message).toContain(`127.0.0.1:${board.port}`);
      await running.stop();
      const log = await readFile(join(board.stateDir, 'machine', 'board.log'), 'utf8');
      expect(log).toMatch(/power-off: exited 0/);
      const consolePid = Number(/console: .* \(pid (\d+)\)/.exec(log)?.[1]);
      expect(consolePid).toBeGreaterThan(0);
      expect(alive(consolePid)).toBe(false);
    });
  });

  describe('kernel push by reboot through U-Boot', () => {
    /** A file only the board's own initramfs has: found after the reboot, it proves the pushed initrd was built on that base. */
    const MARKER = 'pilot-board-initramfs';
    let board: StandinBoard;
    let config: Awaited<ReturnType<typeof loadBoardFile>>;
    let running: RunningMachine;
    let rt: KernelUnderTest;
    let artifactsDir: string;

    beforeAll(async () => {
      rt = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
      const dir = join(workDir, 'uboot-initramfs');
      await mkdir(dir, { recursive: true });
      const marker = join(dir, 'marker.cpio.gz');
      await writeGzippedCpio(marker, [{ type: 'file', path: MARKER, mode: 0o644, source: Buffer.from('the board\'s own\n') }]);
      const boardInitramfs = join(dir, 'board-initramfs.cpio.gz');
      await writeFile(boardInitramfs, Buffer.concat([await readFile(images.initramfsPath), await readFile(marker)]));
      // A long boot-timeout, so a panic reported within seconds can only have come from the console watch.
      board = await standin('uboot-push', { socOverlays: ['el2'], bootloader: 'u-boot', initramfs: boardInitramfs, extra: ['boot-timeout: 5m'] });
      config = await loadBoardFile(board.boardFile);
      expect(config).toMatchObject({ bootloader: 'u-boot', initramfs: boardInitramfs });
      artifactsDir = join(board.stateDir, 'machine');
      await mkdir(artifactsDir, { recursive: true });
      running = await new BoardMachine(config).start({ artifactsDir, signal: controller.signal, deadline: Date.now() + 300_000 });
    }, 600_000);

    afterAll(async () => {
      await running?.stop();
    });

    it("reboots the board into Debian's rt kernel from its boot partition, on its own initramfs, and proves it", async () => {
      expect(running.bootloader).toBe('u-boot');
      expect(running.release).toBe(images.kernel.release);
      const serialLog = join(artifactsDir, 'serial.log');
      const banners = async () => (await readFile(serialLog, 'utf8')).split('\n').filter((line) => UBOOT_BANNER.test(line)).length;
      // The first boot came through U-Boot reading the disk, not through QEMU's -kernel.
      expect(await readFile(serialLog, 'utf8')).toContain('pilot-uboot: booting Linux');
      expect(await banners()).toBe(1);
      const reboot = boardDeployers(config, images).reboot;
      expect(reboot.refusal(config.profile)).toBeUndefined();
      const deployed = await reboot.deploy(running, rt, { workDir: join(board.stateDir, 'deploy'), signal: controller.signal, deadline: Date.now() + 400_000 });
      const t = deployed.timings;
      const mb = deployed.pushes.reduce((sum, push) => sum + push.bytes, 0) / 1e6;
      console.log(
        `board reboot deploy of ${rt.release}: prepare ${(t.prepareMs / 1000).toFixed(1)} s, push ${mb.toFixed(1)} MB ${(t.pushMs / 1000).toFixed(1)} s, ` +
          `write+sync ${(t.loadMs / 1000).toFixed(1)} s, reboot to SSH ${(t.rebootMs / 1000).toFixed(1)} s, proof ${(t.proofMs / 1000).toFixed(1)} s, total ${(t.totalMs / 1000).toFixed(1)} s`,
      );
      expect(deployed.method).toBe('reboot');
      expect(deployed.proof.release).toBe(rt.release);
      expect(deployed.proof.bootId).not.toBe(deployed.previousBootId);
      expect(deployed.proof.procVersion).toBe(rt.versionString);
      if (rt.buildId) expect(deployed.proof.buildId).toBe(rt.buildId);
      expect(deployed.proof.profileCheck.join('\n')).toContain('started at EL2');
      expect(running.release).toBe(rt.release);
      expect(running.bootId).toBe(deployed.proof.bootId);
      // The reboot went through U-Boot once more: a second banner, and no third (no boot loop).
      expect(await banners()).toBe(2);
      const after = await running.guest.exec(`uname -r; cat /${MARKER}`);
      expect(after.stdout.trim().split('\n')).toEqual([rt.release, "the board's own"]);
    });

    it('brings up ADSP and CDSP on the rebooted kernel', async () => {
      expect(running.release, 'the deploy above must have passed').toBe(rt.release);
      await expectSocUpOnPushedKernel(running, rt.release, { artifactsDir, signal: controller.signal, withIris: false });
    });

    it('reports a pushed kernel that panics as F_KERNEL_PANIC from the console, long before boot-timeout, not a boot loop waited out', async () => {
      const phases: Array<{ phase: string; at: number }> = [];
      const deployer = new RebootDeployer({
        baseInitramfs: config.initramfs!,
        bootloader: config.bootloader,
        // Neither exists: the kernel finds no init and panics, then panic=-1 resets into U-Boot, which boots it again.
        commandLine: (current) => `${current} rdinit=/nonexistent init=/nonexistent`,
      });
      const error = await rejectionOf(
        deployer.deploy(running, rt, {
          workDir: join(board.stateDir, 'deploy-panic'),
          signal: controller.signal,
          deadline: Date.now() + 400_000,
          onPhase: (phase) => phases.push({ phase, at: Date.now() }),
        }),
        AssertionFailure,
      );
      const failedAfterMs = Date.now() - phases.find((entry) => entry.phase === 'reboot')!.at;
      console.log(`board: the panicking kernel was reported ${(failedAfterMs / 1000).toFixed(1)} s after the reboot started: ${error.code} ${error.message}`);
      expect(error.code, error.message).toBe('F_KERNEL_PANIC');
      expect(error.evidence.join('\n')).toMatch(/Kernel panic - not syncing/);
      expect(error.evidence.join('\n')).toContain(rt.release);
      expect(failedAfterMs).toBeLessThan(90_000);
    });

    it('powers the board off on stop and leaves no QEMU behind', async () => {
      expect(await board.qemuPid()).toBeDefined();
      await running.stop();
      expect(await board.qemuPid()).toBeUndefined();
    });
  });

  it('through the CLI: --deploy reboot pushes the rt kernel onto a U-Boot board and runs soc-bringup on it', async () => {
    const board = await standin('uboot-cli', { socOverlays: ['el2'], bootloader: 'u-boot' });
    const rt = await resolveKernelInput({ kind: 'debian-package', name: 'linux-image-rt-arm64' });
    const base = await artifactsBase();
    const result = await startPilot(['run', 'scenarios/soc-bringup.yaml', '--board', board.boardFile, '--kernel', 'linux-image-rt-arm64', '--deploy', 'reboot', '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(0);
    const runs = (await latestResults(base)).runs;
    expect(runs.map((run) => [run.id, run.status])).toEqual([['soc-bringup@kvm-el2', 'pass']]);
    expect(runs[0]!.deploy).toMatchObject({ method: 'reboot', release: rt.release, previousRelease: images.kernel.release });
    expect(runs[0]!.phases.map((phase) => phase.name)).toEqual(expect.arrayContaining(['power-on', 'push', 'deploy', 'proof']));
    expect(await board.qemuPid()).toBeUndefined();
  });

  it('through the CLI: refuses --deploy reboot on a board file without bootloader: u-boot, before power-on, naming the file', async () => {
    const board = await standin('no-uboot');
    const base = await artifactsBase();
    const result = await startPilot(['run', 'scenarios/soc-bringup.yaml', '--board', board.boardFile, '--kernel', 'linux-image-rt-arm64', '--deploy', 'reboot', '--artifacts', base]);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.all).toContain('E_DEPLOY_REFUSED');
    expect(result.all).toContain(`board file ${board.boardFile} does not declare \`bootloader: u-boot\``);
    // Neither power-on nor the console command ever ran.
    expect(existsSync(join(board.stateDir, 'qemu.pid'))).toBe(false);
    expect(existsSync(join(board.stateDir, 'console.log'))).toBe(false);
  });
});

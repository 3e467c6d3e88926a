// The suite's host needs, checked where nothing was installed by hand: a fresh Debian root, ci/setup-host.sh, then the tests.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const CLEAN_ROOT = fileURLToPath(new URL('../../ci/clean-root.sh', import.meta.url));

/** The machine-booting test files: the suite outside the root runs them; inside, one real boot stands for them all. */
const BOOTING_TEST_FILES = [
  'test/integration/**',
  'test/deploy/kexec.test.ts',
  'test/deploy/reboot.test.ts',
  'test/deploy/push.test.ts',
  'test/qcom-pas-sim/soc-boot.test.ts',
  'test/machine/board/board-machine.test.ts',
  'test/host/clean-root.test.ts',
];

/** Every other test file (they build the images and run the host tools), then pilot itself boots a scenario on QEMU. */
const INNER_COMMAND = [
  'bash', '-c',
  `npx vitest run ${BOOTING_TEST_FILES.map((glob) => `--exclude '${glob}'`).join(' ')} && node bin/pilot.mjs run scenarios/boot-el1.yaml`,
];

let running: ReturnType<typeof spawn> | undefined;

// A timed-out test must not leave the chroot's apt, npm or QEMU running: the whole process group goes.
afterEach(() => {
  if (running?.pid && running.exitCode === null) {
    try {
      process.kill(-running.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running = undefined;
});

function runCleanRoot(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [CLEAN_ROOT, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running = child;
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-200_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot || process.env.PILOT_IN_CLEAN_ROOT === '1')('a Debian root that has never seen pilot', () => {
  it('passes the host-tool tests after ci/setup-host.sh test and nothing else', async () => {
    const { code, output } = await runCleanRoot(['--setup', 'test', '--', 'env', 'PILOT_IN_CLEAN_ROOT=1', 'NO_COLOR=1', ...INNER_COMMAND]);
    const tail = output.split('\n').slice(-80).join('\n');
    expect(code, `clean-root run failed; the end of its output:\n${tail}`).toBe(0);
    const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
    // Vitest's own closing line: the tests ran inside the root and none failed; then the kernel's readiness under QEMU.
    expect(plain).toMatch(/Test Files\s+\d+ passed/);
    expect(plain).not.toMatch(/Test Files\s.*\d+ failed/);
    expect(plain).toMatch(/PASS\s+boot-el1@el1/);
  }, 30 * 60_000);
});

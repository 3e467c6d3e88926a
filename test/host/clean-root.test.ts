// The suite's host needs, checked where nothing was installed by hand: a fresh Debian root, ci/setup-host.sh, then the tests.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const CLEAN_ROOT = fileURLToPath(new URL('../../ci/clean-root.sh', import.meta.url));

/** Every test file but the QEMU-boot integration tests (their tools are the image build's, which runs here too) and this one. */
const INNER_COMMAND = [
  'npx', 'vitest', 'run',
  '--exclude', 'test/integration/**',
  '--exclude', 'test/host/clean-root.test.ts',
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
    const { code, output } = await runCleanRoot(['--setup', 'test', '--', 'env', 'PILOT_IN_CLEAN_ROOT=1', ...INNER_COMMAND]);
    const tail = output.split('\n').slice(-80).join('\n');
    expect(code, `clean-root run failed; the end of its output:\n${tail}`).toBe(0);
    // Vitest's own closing line: the tests ran inside the root and none failed.
    expect(output).toMatch(/Test Files\s+\S*\d+ passed/);
    expect(output).not.toMatch(/Test Files\s.*\d+ failed/);
  }, 30 * 60_000);
});

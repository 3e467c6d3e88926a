// host/process with real processes: results, failure codes, missing tools, deadlines and aborts that take the whole group.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, InfraError } from '../../harness/core/errors.ts';
import { runProcess, runShell, startProcess } from '../../harness/host/process.ts';
import { shellLine, shellWord } from '../../harness/host/shell-quote.ts';
import { rejectionOf } from '../fakes/rejection.ts';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'pilot-process-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Running, not a zombie: a killed grandchild is reparented and may wait a moment to be reaped. */
async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z /.test(stat);
}

/** Polls until `pid` no longer runs, or gives up after `ms`. */
async function gone(pid: number, ms = 3000): Promise<boolean> {
  const until = Date.now() + ms;
  while (await running(pid)) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** A shell that forks a grandchild (a sleep in the background), writes its pid to a file, then waits forever. */
function grandchildScript(pidFile: string): string {
  return `sleep 300 & echo $! > ${shellWord(pidFile)}; wait`;
}

async function readPid(path: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text.trim()) return Number(text.trim());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no pid in ${path}`);
}

describe('runProcess', () => {
  it('captures stdout and stderr of a command that succeeds', async () => {
    const result = await runProcess('sh', ['-c', 'echo out; echo err >&2'], { what: 'say hello', code: 'E_TEST' });
    expect(result).toMatchObject({ exitCode: 0, signal: null, stdout: 'out\n', stderr: 'err\n' });
    expect(result.output).toBe('out\nerr\n');
  });

  it('passes input on stdin and runs in C locale', async () => {
    const result = await runProcess('sh', ['-c', 'cat; echo "$LC_ALL"'], { what: 'echo input', code: 'E_TEST', input: 'abc\n' });
    expect(result.stdout).toBe('abc\nC\n');
  });

  it('writes stdout to a file when asked', async () => {
    const out = join(dir, 'stdout.bin');
    const result = await runProcess('printf', ['\\001\\002'], { what: 'write bytes', code: 'E_TEST', stdoutFile: out });
    expect(result.stdout).toBe('');
    expect(await readFile(out)).toEqual(Buffer.from([1, 2]));
  });

  it('turns a failure into the caller\'s code, naming the command, its status and the end of stderr', async () => {
    const error = await rejectionOf(
      runProcess('sh', ['-c', 'for i in $(seq 1 20); do echo "line $i" >&2; done; exit 3'], { what: 'count lines', code: 'E_TEST_FAILED', hint: 'try again' }),
      InfraError,
    );
    expect(error.code).toBe('E_TEST_FAILED');
    expect(error.message).toBe('count lines failed: sh exited with status 3: line 20');
    expect(error.evidence).toEqual(Array.from({ length: 12 }, (_, i) => `line ${i + 9}`));
    expect(error.hint).toBe('try again');
  });

  it('names the signal that killed a command', async () => {
    const error = await rejectionOf(runProcess('sh', ['-c', 'kill -TERM $$'], { what: 'kill itself', code: 'E_TEST' }), InfraError);
    expect(error.message).toBe('kill itself failed: sh was killed by SIGTERM');
  });

  it('lets the caller build its own error for a command that failed', async () => {
    const error = await rejectionOf(
      runProcess('sh', ['-c', 'echo bad input >&2; exit 1'], { what: 'check', code: 'E_TEST', failure: (f) => new InfraError('E_OWN', `${f.how}: ${f.evidence.join()}`) }),
      InfraError,
    );
    expect(error.code).toBe('E_OWN');
    expect(error.message).toBe('exited with status 1: bad input');
  });

  it('reports a missing tool with E_HOST_TOOL_MISSING and the Debian package that has it', async () => {
    const oldPath = process.env.PATH;
    try {
      // An empty PATH hides dtc, installed or not; the package comes from requirements.txt.
      process.env.PATH = dir;
      const error = await rejectionOf(runProcess('dtc', ['--version'], { what: 'compile an overlay', code: 'E_TEST' }), InfraError);
      expect(error.code).toBe('E_HOST_TOOL_MISSING');
      expect(error.message).toBe('compile an overlay failed: dtc is not installed');
      expect(error.hint).toBe('apt-get install device-tree-compiler');
    } finally {
      process.env.PATH = oldPath;
    }
  });

  it('uses the caller\'s code for a missing tool, and says so for a tool no package is known for', async () => {
    const error = await rejectionOf(runProcess('pilot-no-such-tool', [], { what: 'x', code: 'E_TEST', missingCode: 'E_BOOT_DISK_TOOL' }), InfraError);
    expect(error.code).toBe('E_BOOT_DISK_TOOL');
    expect(error.message).toBe('x failed: pilot-no-such-tool is not installed');
    expect(error.hint).toContain('pilot doctor');
  });

  it('kills the whole process group at the deadline, grandchild included', async () => {
    const pidFile = join(dir, 'timeout.pid');
    const started = Date.now();
    const error = await rejectionOf(runShell(grandchildScript(pidFile), { what: 'hang', code: 'E_TEST_TIMEOUT', timeoutMs: 500 }), InfraError);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.code).toBe('E_TEST_TIMEOUT');
    expect(error.message).toMatch(/^hang failed: '.*' did not finish within 500 ms$/);
    expect(await gone(await readPid(pidFile))).toBe(true);
  });

  it('stops at once on abort, with the abort\'s error, and kills the group', async () => {
    const pidFile = join(dir, 'abort.pid');
    const controller = new AbortController();
    const hanging = runShell(grandchildScript(pidFile), { what: 'hang', code: 'E_TEST', signal: controller.signal });
    const grandchild = await readPid(pidFile);
    expect(await running(grandchild)).toBe(true);
    controller.abort();
    const error = await rejectionOf(hanging, AbortedError);
    expect(error.code).toBe('E_ABORTED');
    expect(await gone(grandchild)).toBe(true);
  });

  it('does not start a command when the signal has already aborted', async () => {
    const pidFile = join(dir, 'never.pid');
    const controller = new AbortController();
    controller.abort();
    await rejectionOf(runShell(`echo $$ > ${shellWord(pidFile)}`, { what: 'never', code: 'E_TEST', signal: controller.signal }), AbortedError);
    expect(await readFile(pidFile, 'utf8').catch(() => 'absent')).toBe('absent');
  });

  it('resolves when the command exits even if something it left holds its output open', async () => {
    const pidFile = join(dir, 'daemon.pid');
    const started = Date.now();
    const result = await runShell(`sleep 300 & echo $! > ${shellWord(pidFile)}; echo started`, { what: 'leave a daemon', code: 'E_TEST', timeoutMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.stdout).toBe('started\n');
    const daemon = await readPid(pidFile);
    expect(await running(daemon)).toBe(true);
    process.kill(daemon, 'SIGKILL');
  });
});

describe('startProcess', () => {
  it('stop() ends the whole group: SIGTERM first, SIGKILL for what ignores it', async () => {
    const pidFile = join(dir, 'stop.pid');
    const child = startProcess('sh', ['-c', `trap '' TERM; sh -c 'trap "" TERM; sleep 300' & echo $! > ${shellWord(pidFile)}; wait`]);
    const grandchild = await readPid(pidFile);
    const started = Date.now();
    const exit = await child.stop(300);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(exit.signal).toBe('SIGKILL');
    expect(await gone(grandchild)).toBe(true);
  });
});

describe('shell quoting', () => {
  const awkward = ['plain', '', 'two words', "it's", '$HOME', '`id`', 'a"b', 'back\\slash', 'new\nline', '*', '-n', 'é ü'];

  it('round-trips every word through sh -c unchanged', async () => {
    const result = await runProcess('sh', ['-c', `for word in ${shellLine(awkward)}; do printf '%s\\0' "$word"; done`], { what: 'quote', code: 'E_TEST' });
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(awkward);
  });

  it('leaves safe words bare, so logged commands stay readable', () => {
    expect(shellLine(['qemu', '-append', "console=ttyAMA0 it's"])).toBe(`qemu -append 'console=ttyAMA0 it'\\''s'`);
    expect(shellWord('/sys/class/remoteproc/remoteproc0/state')).toBe('/sys/class/remoteproc/remoteproc0/state');
  });
});

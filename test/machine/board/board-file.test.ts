// Board files: every problem at its line and column, keys from a file or an environment variable, never from the file itself.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../harness/core/errors.ts';
import { planKernels, type KernelRequest } from '../../../harness/runner/kernel-plan.ts';
import type { ImageSet } from '../../../harness/images/image-set.ts';
import { BoardFileError, boardJsonSchema, loadBoardFile, parseBoardFile, type BoardConfig } from '../../../harness/machine/board/board-file.ts';
import { boardDeployers } from '../../../harness/runner/board-deployers.ts';
import { backendOf, deployersForBackends } from '../../../harness/runner/plan/backend.ts';
import type { MatrixRun } from '../../../harness/scenario/matrix.ts';
import { PROFILES } from '../../../harness/model/profile.ts';
import { expandMatrix } from '../../../harness/scenario/matrix.ts';
import { parseScenario } from '../../../harness/scenario/load.ts';
import { rejectionOf } from '../../fakes/rejection.ts';
import { STEP_KINDS } from '../../../harness/steps/registry.ts';

let dir: string;
const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'board-test' });
const env = { BOARD_KEY: pair.private };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pilot-board-file-'));
  await writeFile(join(dir, 'id_board'), pair.private, { mode: 0o600 });
  await writeFile(join(dir, 'id_board.pub'), pair.public);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const minimal = ['name: lab-1', 'host: 10.0.0.5', 'user: root', 'key-env: BOARD_KEY', 'profile: kvm-el2', ''].join('\n');

async function problemsOf(text: string, options: { env?: NodeJS.ProcessEnv } = { env }): Promise<string[]> {
  const error = await rejectionOf(parseBoardFile(text, join(dir, 'b.yaml'), options), BoardFileError);
  expect(error.code).toBe('E_BOARD_INVALID');
  return error.message.split('\n').slice(1).map((line) => line.replace(`${join(dir, 'b.yaml')}:`, ''));
}

describe('board file', () => {
  it('loads a minimal board with defaults and the key from the environment', async () => {
    const board = await parseBoardFile(minimal, join(dir, 'b.yaml'), { env });
    expect(board).toMatchObject({ name: 'lab-1', host: '10.0.0.5', port: 22, user: 'root', keySource: 'key-env BOARD_KEY', powerOn: undefined, console: undefined, bootTimeoutMs: 300_000, powerTimeoutMs: 60_000 });
    expect(board.profile.name).toBe('kvm-el2');
    expect(board.privateKey.toString()).toBe(pair.private);
    expect(board.commandDir).toBe(dir);
  });

  it('reads key-path relative to the board file and takes commands and durations', async () => {
    await writeFile(
      join(dir, 'full.yaml'),
      ['name: sa8775p-ride', 'host: ride.lab', 'port: 2222', 'user: root', 'key-path: id_board', 'profile: xen-el1', 'power-on: pdu on 3', 'power-off: pdu off 3', 'console: microcom -p /dev/ttyUSB0', 'boot-timeout: 2m', 'power-timeout: 10s', ''].join('\n'),
    );
    const board = await loadBoardFile(join(dir, 'full.yaml'), { env: {} });
    expect(board).toMatchObject({ port: 2222, keySource: `key-path ${join(dir, 'id_board')}`, powerOn: 'pdu on 3', powerOff: 'pdu off 3', console: 'microcom -p /dev/ttyUSB0', bootTimeoutMs: 120_000, powerTimeoutMs: 10_000 });
    expect(board.profile.name).toBe('xen-el1');
  });

  it('reports every problem at once, each at its line and column', async () => {
    const problems = await problemsOf(['name: lab-1', 'host: 10.0.0.5', 'port: 70000', 'usr: root', 'key-env: BOARD_KEY', 'profile: kvm', 'boot-timeout: soon', ''].join('\n'));
    // The missing `user` is not reported again: the misspelt `usr` already says so, with the fix.
    expect(problems).toEqual([
      '3:7: port: expected at most 65535, got 70000',
      "4:1: usr: unknown key; did you mean 'user'?",
      '6:10: profile: expected one of kvm-el2, xen-el1, el1, got "kvm"',
      '7:15: boot-timeout: expected a duration like 30s, 3m or 500ms, got "soon"',
    ]);
  });

  it('refuses a private key written into the file, wherever it is, without echoing it', async () => {
    const literal = pair.private.trim().split('\n').map((line) => `  ${line}`).join('\n');
    const problems = await problemsOf(['name: lab-1', 'host: 10.0.0.5', 'user: root', 'key-env: BOARD_KEY', 'profile: el1', 'private-key: |', literal, ''].join('\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^6:1: private-key: a key or password must not be written in the board file; keep secrets out/);
    const inKeyPath = await problemsOf(['name: lab-1', 'host: 10.0.0.5', 'user: root', 'key-path: |', literal, 'profile: el1', ''].join('\n'));
    expect(inKeyPath).toEqual([expect.stringMatching(/^4:11: key-path: this is a private key written in the board file; .*key-env/)]);
    expect(inKeyPath.join('\n')).not.toContain(pair.private.split('\n')[1]!);
  });

  it('needs exactly one of key-path and key-env', async () => {
    expect(await problemsOf(['name: lab-1', 'host: h', 'user: root', 'profile: el1', ''].join('\n'))).toEqual(['1:1: a key is required: give key-path or key-env']);
    expect(await problemsOf(['name: lab-1', 'host: h', 'user: root', 'key-path: id_board', 'key-env: BOARD_KEY', 'profile: el1', ''].join('\n'))).toEqual(['1:1: give key-path or key-env, not both']);
  });

  it('names an unset key variable, an unreadable key file and a public key at their lines', async () => {
    expect(await problemsOf(minimal, { env: {} })).toEqual(['4:10: key-env: environment variable BOARD_KEY is not set; put the private key\'s text in it']);
    expect(await problemsOf(minimal, { env: { BOARD_KEY: pair.public } })).toEqual([expect.stringMatching(/^4:10: key-env: environment variable BOARD_KEY (holds a public key|does not hold a private key)/)]);
    const missing = await problemsOf(minimal.replace('key-env: BOARD_KEY', 'key-path: no-such-key'));
    expect(missing).toEqual([`4:11: key-path: cannot read the key file ${join(dir, 'no-such-key')}: ENOENT`]);
    const publicHalf = await problemsOf(minimal.replace('key-env: BOARD_KEY', 'key-path: id_board.pub'));
    expect(publicHalf).toEqual([expect.stringMatching(/^4:11: key-path: .*id_board\.pub (holds a public key|does not hold a private key)/)]);
  });

  it('refuses a key-env that is not a variable name (a pasted key, say)', async () => {
    const problems = await problemsOf(minimal.replace('key-env: BOARD_KEY', 'key-env: "ssh-ed25519 AAAA"'));
    expect(problems).toEqual([expect.stringMatching(/^4:10: key-env: expected text matching/)]);
  });

  it('loads the documented example in boards/ once its key variable is set', async () => {
    const board = await loadBoardFile('boards/example-sa8775p.yaml', { env: { PILOT_BOARD_KEY: pair.private } });
    expect(board).toMatchObject({ name: 'sa8775p-ride-1', port: 22, user: 'root', keySource: 'key-env PILOT_BOARD_KEY', bootTimeoutMs: 240_000, powerTimeoutMs: 30_000 });
    expect(board.profile.name).toBe('kvm-el2');
    expect(board.powerOn).toMatch(/--command on$/);
    expect(board.console).toMatch(/^microcom /);
    expect(board.bootloader).toBe('u-boot');
    expect(board.initramfs).toBeUndefined();
  });

  it('offers editors a JSON Schema with the key options and no place for a literal key', () => {
    const schema = boardJsonSchema() as { properties: Record<string, unknown>; required: string[]; additionalProperties: unknown };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['key-path', 'key-env', 'profile', 'power-on', 'console']));
    expect(schema.properties).not.toHaveProperty('key');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'host', 'user', 'profile']));
  });
});

describe('bootloader: and initramfs:', () => {
  it('loads both, the initramfs path against the board file folder, and leaves both unset by default', async () => {
    await writeFile(join(dir, 'initrd.img'), 'not really an initramfs');
    const board = await parseBoardFile(`${minimal}bootloader: u-boot\ninitramfs: initrd.img\n`, join(dir, 'b.yaml'), { env });
    expect(board).toMatchObject({ bootloader: 'u-boot', initramfs: join(dir, 'initrd.img') });
    const plain = await parseBoardFile(minimal, join(dir, 'b.yaml'), { env });
    expect(plain).toMatchObject({ bootloader: undefined, initramfs: undefined });
  });

  it('refuses an unknown bootloader and an initramfs that is not there, at their lines', async () => {
    expect(await problemsOf(`${minimal}bootloader: grub\n`)).toEqual(['6:13: bootloader: expected u-boot, got "grub"']);
    expect(await problemsOf(`${minimal}initramfs: missing.cpio.gz\n`)).toEqual([`6:12: initramfs: cannot read the board's initramfs ${join(dir, 'missing.cpio.gz')}: ENOENT`]);
    expect(await problemsOf(`${minimal}initramfs: .\n`)).toEqual([`6:12: initramfs: cannot read the board's initramfs ${dir}: not a file`]);
  });

  it('lists both in the JSON Schema', () => {
    const schema = boardJsonSchema() as { properties: Record<string, { enum?: string[] }> };
    expect(schema.properties.bootloader?.enum).toEqual(['u-boot']);
    expect(schema.properties).toHaveProperty('initramfs');
  });
});

describe('deployers of runs on a board', () => {
  const images = { initramfsPath: '/images/initramfs.cpio.gz' } as ImageSet;
  const push = (profiles: string) => {
    const parsed = parseScenario(`name: push\nprofiles: [${profiles}]\nsteps: [{ run: "true" }]\n`, '/lab/push.yaml', STEP_KINDS);
    return parsed.scenario!;
  };
  const other = () => {
    const parsed = parseScenario('name: other\nprofiles: [kvm-el2]\nsteps: [{ run: "true" }]\n', '/lab/other.yaml', STEP_KINDS);
    return parsed.scenario!;
  };
  const reboot: KernelRequest = { spec: { kind: 'debian-package', name: 'linux-image-rt-arm64' }, deploy: 'reboot', origin: '--kernel linux-image-rt-arm64' };
  // The deployers each run gets when only the scenario 'push' names the board.
  const deployersForRuns = (board: BoardConfig, forImages: ImageSet) => {
    const forBackend = deployersForBackends(forImages);
    return (run: MatrixRun) => forBackend(backendOf(run.scenario.name, new Map([['push', board]])));
  };
  const boardOf = async (extra: string): Promise<BoardConfig> => parseBoardFile(`${minimal}${extra}`, join(dir, 'lab-1.yaml'), { env });

  it('accepts a reboot deploy on a board that declares U-Boot, with the board\'s own deployer', async () => {
    const board = await boardOf('bootloader: u-boot\n');
    const forRun = deployersForRuns(board, images);
    const plans = planKernels(expandMatrix([push('kvm-el2'), other()]), reboot, forRun);
    expect([...plans.keys()]).toEqual(['push@kvm-el2', 'other@kvm-el2']);
    const onBoard = plans.get('push@kvm-el2')!.deployer;
    const onQemu = plans.get('other@kvm-el2')!.deployer;
    expect(onBoard.method).toBe('reboot');
    expect(onBoard).not.toBe(onQemu);
    // Made once per board, not per run.
    expect(forRun(expandMatrix([push('kvm-el2')])[0]!).reboot).toBe(onBoard);
  });

  it('refuses a reboot deploy on a board that does not declare U-Boot, naming its file, while QEMU runs keep theirs', async () => {
    const board = await boardOf('');
    expect(boardDeployers(board, images).reboot.refusal(PROFILES['kvm-el2'])).toBe(
      `a reboot deploy on kvm-el2 needs a board that boots through U-Boot from a partition Linux can write, and board file ${join(dir, 'lab-1.yaml')} does not declare \`bootloader: u-boot\``,
    );
    const error = await rejectionOf(
      Promise.resolve().then(() => planKernels(expandMatrix([push('kvm-el2'), other()]), reboot, deployersForRuns(board, images))),
      InputError,
    );
    expect(error.code).toBe('E_DEPLOY_REFUSED');
    expect(error.message.split('\n')).toEqual([
      'a deploy cannot work:',
      `--kernel linux-image-rt-arm64: push@kvm-el2: deploy reboot: ${boardDeployers(board, images).reboot.refusal(PROFILES['kvm-el2'])}`,
    ]);
    // kexec needs nothing from the file.
    expect(boardDeployers(board, images).kexec.refusal(PROFILES['kvm-el2'])).toBeUndefined();
  });
});

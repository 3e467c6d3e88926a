// Board files: every problem at its line and column, keys from a file or an environment variable, never from the file itself.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardFileError, boardJsonSchema, loadBoardFile, parseBoardFile } from '../../../harness/machine/board/board-file.ts';
import { rejectionOf } from '../../fakes/rejection.ts';

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
  });

  it('offers editors a JSON Schema with the key options and no place for a literal key', () => {
    const schema = boardJsonSchema() as { properties: Record<string, unknown>; required: string[]; additionalProperties: unknown };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['key-path', 'key-env', 'profile', 'power-on', 'console']));
    expect(schema.properties).not.toHaveProperty('key');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'host', 'user', 'profile']));
  });
});

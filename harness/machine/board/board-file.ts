// Loads a board definition: YAML with source positions, checked by zod, every problem reported at once as file:line:col.
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import ssh2 from 'ssh2';
import { z } from 'zod';
import { InputError } from '../../core/errors.ts';
import { describeValue, duration } from '../../config/fields.ts';
import { formatDataPath, placeIssues, scenarioErrorMap } from '../../config/zod-problems.ts';
import { ConfigLoadError, sortProblems, type ConfigProblem } from '../../config/problem.ts';
import { documentData, parseYamlSource, type DataPath, type SourcePosition } from '../../config/yaml-source.ts';
import { readConfigText, type ConfigText } from '../../config/config-text.ts';
import type { Bootloader } from '../bootloader.ts';
import { PROFILE_NAMES, PROFILES, type Profile, type ProfileName } from '../../model/profile.ts';

/** Keys someone might use to paste a key or password into the file; each is refused with the reason, not as a typo. */
const SECRET_KEYS = ['key', 'private-key', 'privateKey', 'password', 'passphrase'] as const;
const LITERAL_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NO_SECRETS = 'keep secrets out of the board file: name a key file with key-path, or an environment variable holding the key with key-env';

const shellCommand = z.string().min(1).meta({ description: 'A shell command run with `sh -c` on the host, in the board file\'s folder.' });

export const boardSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/).meta({ description: 'The board\'s name, for reports.' }),
    description: z.string().optional(),
    host: z.string().min(1).meta({ description: 'Host name or address its SSH server answers on.' }),
    port: z.number().int().min(1).max(65_535).default(22),
    user: z.string().min(1).meta({ description: 'SSH user; steps need root, as in the QEMU guests.' }),
    'key-path': z.string().min(1).optional().meta({ description: 'Private key file (OpenSSH or PEM, unencrypted); relative to the board file, ~ allowed.' }),
    'key-env': z.string().regex(ENV_NAME).optional().meta({ description: 'Name of an environment variable holding the private key\'s text.' }),
    profile: z.enum(PROFILE_NAMES as [ProfileName, ...ProfileName[]]).meta({ description: 'The profile the board claims; checked against what its kernel prints.' }),
    'power-on': shellCommand.optional(),
    'power-off': shellCommand.optional(),
    console: shellCommand.optional().meta({ description: 'A long-running command whose stdout is the serial console (e.g. microcom, a conserver client).' }),
    'boot-timeout': duration.optional().meta({ description: 'Longest wait from power-on (or from start, without one) to SSH answering, and for a reboot. Default 5m.' }),
    'power-timeout': duration.optional().meta({ description: 'Longest a power-on or power-off command may run. Default 60s.' }),
    bootloader: z
      .enum(['u-boot'])
      .optional()
      .meta({ description: 'u-boot: the board boots through U-Boot reading a FAT partition labelled PILOTBOOT (boot.scr, Image, initramfs.cpio.gz, pilot.env) that Linux can write; needed for deploy: reboot.' }),
    initramfs: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "The board's own initramfs on this host, relative to the board file, ~ allowed: a pushed kernel's modules are appended to it. Default: pilot's image initramfs." }),
  })
  .superRefine((board, context) => {
    const given = [board['key-path'], board['key-env']].filter((value) => value !== undefined).length;
    if (given !== 1) {
      context.addIssue({ code: 'custom', message: given === 0 ? 'a key is required: give key-path or key-env' : 'give key-path or key-env, not both' });
    }
  });

type BoardDocument = z.output<typeof boardSchema>;

export interface BoardConfig {
  /** As given to loadBoardFile, for messages. */
  file: string;
  name: string;
  description: string | undefined;
  host: string;
  port: number;
  user: string;
  /** The key's text, read from key-path or key-env at load time; never written anywhere. */
  privateKey: Buffer;
  /** Where the key came from, for messages: "key-path /abs/id_ed25519" or "key-env PILOT_BOARD_KEY". */
  keySource: string;
  profile: Profile;
  powerOn: string | undefined;
  powerOff: string | undefined;
  console: string | undefined;
  /** The folder host commands run in (the board file's). */
  commandDir: string;
  bootTimeoutMs: number;
  powerTimeoutMs: number;
  /** How the board starts its kernel: 'u-boot' reads it from a partition Linux can write, so a reboot deploy works. */
  bootloader: Bootloader | undefined;
  /** Absolute path of the board's own initramfs, the base of a pushed kernel's initrd; undefined means pilot's image initramfs. */
  initramfs: string | undefined;
}

export const DEFAULT_BOOT_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_POWER_TIMEOUT_MS = 60_000;

export class BoardFileError extends ConfigLoadError {
  constructor(file: string, problems: ConfigProblem[]) {
    super('E_BOARD_INVALID', `board file ${file} has`, problems);
  }
}

export interface BoardLoadOptions {
  /** Where key-env is looked up; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

export async function loadBoardFile(file: string, options: BoardLoadOptions = {}): Promise<BoardConfig> {
  let read: ConfigText;
  try {
    read = await readConfigText(file);
  } catch (error) {
    throw new InputError('E_BOARD_NOT_FOUND', `cannot read board file ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (read.problem) throw new BoardFileError(file, [read.problem]);
  return parseBoardFile(read.text, file, options);
}

/** Parses a board file's text; throws BoardFileError with every problem, placed at its line and column. */
export async function parseBoardFile(text: string, file: string, options: BoardLoadOptions = {}): Promise<BoardConfig> {
  const source = parseYamlSource(text);
  const problem = (position: SourcePosition, path: DataPath, message: string): ConfigProblem => ({ file, ...position, path: formatDataPath(path), message });
  if (source.document.errors.length) {
    throw new BoardFileError(file, source.document.errors.map((error) => problem(source.positionOf(error.pos[0]), [], `YAML: ${error.message.split('\n')[0]!.trim()}`)));
  }
  const expanded = documentData(source);
  if (expanded.problem) throw new BoardFileError(file, [problem(expanded.problem.position, [], expanded.problem.message)]);
  const data = expanded.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new BoardFileError(file, [problem({ line: 1, column: 1 }, [], `expected a mapping with name, host, user, a key and profile, got ${describeValue(data)}`)]);
  }

  const secrets = secretProblems(data as Record<string, unknown>).map((found) => problem(source.locate(found.path, found.placement), found.path, found.message));
  const secretPaths = new Set(secrets.map((found) => found.path));
  const result = boardSchema.safeParse(data, { error: scenarioErrorMap });
  if (!result.success) {
    const placed = placeIssues(result.error.issues, { data, stepKinds: [], stepCommonKeys: [] })
      .map((item) => problem(source.locate(item.path, item.placement), item.path, item.message))
      // A pasted key is already reported with its reason; "unknown key" on the same spot adds nothing.
      .filter((found) => !secretPaths.has(found.path));
    throw new BoardFileError(file, sortProblems([...secrets, ...placed]));
  }
  if (secrets.length) throw new BoardFileError(file, secrets);

  const board: BoardDocument = result.data;
  const commandDir = dirname(resolve(file));
  const key = await readKey(board, commandDir, options.env ?? process.env);
  if ('problem' in key) throw new BoardFileError(file, [problem(source.locate([key.key]), [key.key], key.problem)]);
  const initramfs = board.initramfs === undefined ? undefined : hostPath(board.initramfs, commandDir);
  // Checked now, so a wrong path costs no power-on: it is only read when a kernel is pushed.
  const unreadable = initramfs === undefined ? undefined : await fileProblem(initramfs);
  if (unreadable) throw new BoardFileError(file, [problem(source.locate(['initramfs'], 'value'), ['initramfs'], `cannot read the board's initramfs ${initramfs}: ${unreadable}`)]);
  return {
    file,
    name: board.name,
    description: board.description,
    host: board.host,
    port: board.port,
    user: board.user,
    privateKey: key.privateKey,
    keySource: key.source,
    profile: PROFILES[board.profile],
    powerOn: board['power-on'],
    powerOff: board['power-off'],
    console: board.console,
    commandDir,
    bootTimeoutMs: board['boot-timeout'] ?? DEFAULT_BOOT_TIMEOUT_MS,
    powerTimeoutMs: board['power-timeout'] ?? DEFAULT_POWER_TIMEOUT_MS,
    bootloader: board.bootloader,
    initramfs,
  };
}

async function fileProblem(path: string): Promise<string | undefined> {
  try {
    if (!(await stat(path)).isFile()) return 'not a file';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
  return undefined;
}

/** A path written in the board file: relative to its folder, ~ for the home folder. */
function hostPath(written: string, baseDir: string): string {
  return written === '~' || written.startsWith('~/') ? resolve(homedir(), written.slice(2)) : isAbsolute(written) ? written : resolve(baseDir, written);
}

interface FoundSecret {
  path: DataPath;
  placement: 'key' | 'value';
  message: string;
}

/** A private key or password written into the file, wherever it is. */
function secretProblems(data: Record<string, unknown>): FoundSecret[] {
  const found: FoundSecret[] = [];
  for (const name of SECRET_KEYS) {
    if (Object.hasOwn(data, name)) found.push({ path: [name], placement: 'key', message: `a key or password must not be written in the board file; ${NO_SECRETS}` });
  }
  const walk = (value: unknown, path: DataPath) => {
    if (typeof value === 'string' && LITERAL_KEY.test(value) && !found.some((known) => formatDataPath(known.path) === formatDataPath(path))) {
      found.push({ path, placement: 'value', message: `this is a private key written in the board file; ${NO_SECRETS}` });
    } else if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, index]));
    else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
  };
  walk(data, []);
  return found;
}

type KeyResult = { privateKey: Buffer; source: string } | { key: 'key-path' | 'key-env'; problem: string };

async function readKey(board: BoardDocument, baseDir: string, env: NodeJS.ProcessEnv): Promise<KeyResult> {
  if (board['key-env'] !== undefined) {
    const name = board['key-env'];
    const value = env[name];
    if (value === undefined || value.trim() === '') return { key: 'key-env', problem: `environment variable ${name} is not set; put the private key's text in it` };
    const problem = keyProblem(value, `environment variable ${name}`);
    return problem ? { key: 'key-env', problem } : { privateKey: Buffer.from(value), source: `key-env ${name}` };
  }
  const written = board['key-path']!;
  const path = hostPath(written, baseDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { key: 'key-path', problem: `cannot read the key file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const problem = keyProblem(text, path);
  return problem ? { key: 'key-path', problem } : { privateKey: Buffer.from(text), source: `key-path ${path}` };
}

/** Why ssh2 cannot use this as a private key; the key's text never goes into the message. */
function keyProblem(text: string, where: string): string | undefined {
  const parsed = ssh2.utils.parseKey(text);
  if (parsed instanceof Error) return `${where} does not hold a private key ssh2 can use (${parsed.message}); an encrypted key must be decrypted first`;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || !key.isPrivateKey()) return `${where} holds a public key; expected the private half`;
  return undefined;
}


/** JSON Schema of board files for editors, from the same definition the loader checks. */
export function boardJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(boardSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

// `pilot shell`: finds the machine a run kept (its keep.json) and checks it is still up before anyone connects to it.
import { readdir, readFile, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import { KEEP_JSON } from '../model/artifact-names.ts';
import type { KeepRecord } from '../model/keep-record.ts';

export interface KeptRunLocation {
  /** The run's artifacts folder holding keep.json. */
  dir: string;
  record: KeepRecord;
}

const TIMESTAMP_FOLDER = /^\d{8}-\d{6}(-\d+)?$/;

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isDirectory(), () => false);
}

async function readRecord(dir: string): Promise<KeepRecord | undefined> {
  const text = await readFile(join(dir, KEEP_JSON), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as KeepRecord;
  } catch {
    throw new InputError('E_SHELL_NOT_KEPT', `${join(dir, KEEP_JSON)} is not a keep record pilot wrote (not JSON)`);
  }
}

/** A run's folder given as such, else the run id under <base>/latest, then under the newest timestamped folder holding it. */
export async function findKeptRun(runOrDir: string, artifactsBase: string): Promise<KeptRunLocation> {
  if (await isDirectory(runOrDir)) {
    const dir = resolve(runOrDir);
    const record = await readRecord(dir);
    if (!record) throw notKept(`${dir} has no ${KEEP_JSON}`);
    return { dir, record };
  }
  const base = resolve(artifactsBase);
  const folders = (await readdir(base).catch(() => [] as string[])).filter((name) => TIMESTAMP_FOLDER.test(name)).sort().reverse();
  for (const folder of ['latest', ...folders]) {
    const dir = join(base, folder, runOrDir.replace(/[^\w@.-]/g, '_'));
    const record = await readRecord(dir);
    if (record) return { dir, record };
  }
  throw notKept(`no run '${runOrDir}' with a ${KEEP_JSON} under ${base}`);
}

function notKept(what: string): InputError {
  return new InputError('E_SHELL_NOT_KEPT', `${what}: that run's machine was not kept`, {
    hint: '`pilot run --keep-failed` keeps the machine of a run that FAILs or ERRORs; give the run id (scenario@profile) or its artifacts folder, and --artifacts DIR if the run used one',
  });
}

function processIsQemu(pid: number): Promise<boolean> {
  return readFile(`/proc/${pid}/cmdline`, 'utf8').then((line) => line.split('\0').some((word) => word.endsWith('qemu-system-aarch64')), () => false);
}

function portAnswers(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((settle) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (answers: boolean) => {
      socket.destroy();
      settle(answers);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Refuses, saying why, a kept machine that has ended: pilot stopped it, it powered off, or pilot itself is gone. */
export async function checkKeptMachineUp(location: KeptRunLocation): Promise<void> {
  const { record, dir } = location;
  const gone = (why: string) =>
    new InputError('E_SHELL_MACHINE_GONE', `the machine kept for ${record.run} is gone: ${why}`, {
      hint: `its logs stay in ${dir}; run the scenario again with --keep-failed for a new one`,
    });
  if (record.ended) throw gone(`${record.ended.why} (at ${record.ended.at})`);
  if (!(await processIsQemu(record.pid))) throw gone(`QEMU (pid ${record.pid}) is no longer running; the pilot that kept it (pid ${record.pilotPid}) ended without saying so`);
  if (!(await portAnswers(record.sshPort))) throw gone(`nothing answers on 127.0.0.1:${record.sshPort}, its SSH port`);
}

// buildSimModule(): cross-compiles images/qcom-pas-sim against a kernel's build tree and checks the result is for that kernel.
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError, InputError } from '../../core/errors.ts';
import { runProcess, tailLines, type ProcessFailure } from '../../host/process.ts';
import { readModinfo } from './modinfo.ts';

export const SIM_MODULE_SOURCE_DIR = fileURLToPath(new URL('../../../images/qcom-pas-sim/', import.meta.url));
export const SIM_MODULE_FILE = 'qcom_pas_sim.ko';
/** Kernel modules the simulation module depends on; they must be loaded first (or by modprobe from modules.dep). */
export const SIM_MODULE_DEPENDS = ['mc', 'videodev'] as const;

/** Compile-time switches tests may ask for. */
export const SIM_MODULE_DEFINES = {
  /** Attach the paging domain but leave the carve-out unmapped: the regression pilot must catch. */
  skipCarveoutMap: 'PAS_SIM_SKIP_CARVEOUT_MAP',
} as const;

export interface BuildSimModuleOptions {
  /** Kernel build or headers tree (make -C), e.g. ImageSet.kernel.buildDir. */
  buildDir: string;
  /** `uname -r` of that kernel; the module's vermagic must start with it. */
  release: string;
  /** Receives src/ (the build copy) and the .ko. */
  outDir: string;
  signal?: AbortSignal;
  /** Preprocessor symbols, NAME or NAME=VALUE, e.g. SIM_MODULE_DEFINES.skipCarveoutMap. */
  defines?: readonly string[];
  sourceDir?: string;
  crossCompile?: string;
  /** Drop debug info (2 MB -> 60 KB); the initramfs carries the result. Default true. */
  stripDebug?: boolean;
  timeoutMs?: number;
}

const DEFINE = /^[A-Za-z_][A-Za-z0-9_]*(=[A-Za-z0-9_.+-]*)?$/;

function checkDefines(defines: readonly string[]): void {
  for (const define of defines) {
    if (!DEFINE.test(define)) {
      throw new InputError('E_MODULE_DEFINE', `module define "${define}" is not NAME or NAME=VALUE (letters, digits, _ . + -)`);
    }
  }
}

/** Digest of the module's sources and the defines: the cache key of a build for one kernel. */
export async function simModuleInputsDigest(defines: readonly string[] = [], sourceDir = SIM_MODULE_SOURCE_DIR): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(sourceDir)).sort()) {
    hash.update(`${file}\0`).update(await readFile(join(sourceDir, file))).update('\0');
  }
  hash.update(`defines\0${[...defines].sort().join(' ')}`);
  return hash.digest('hex');
}

/** The compiler's and make's complaints, for the error's evidence. */
export function buildErrorLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => /\berror\b|Error \d|undefined!|No such file|No rule to make target|: not found$/i.test(line))
    .map((line) => line.trim())
    // A missing host tool ("/bin/sh: 1: pahole: not found") is the cause; make's "Error 127" lines only follow it.
    .sort((a, b) => Number(/: not found$/.test(b)) - Number(/: not found$/.test(a)))
    .slice(0, 20);
}

async function readUtsRelease(buildDir: string): Promise<string | undefined> {
  try {
    const text = await readFile(join(buildDir, 'include/generated/utsrelease.h'), 'utf8');
    return /UTS_RELEASE\s+"([^"]+)"/.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

/** Runs a build tool under the build's timeout and abort; `failure` says what its failing means for the build. */
function run(file: string, args: string[], options: BuildSimModuleOptions, what: string, failure: (failure: ProcessFailure) => Error) {
  return runProcess(file, args, { what, code: 'E_MODULE_BUILD', signal: options.signal, timeoutMs: options.timeoutMs ?? 300_000, failure });
}

export async function buildSimModule(options: BuildSimModuleOptions): Promise<string> {
  const defines = options.defines ?? [];
  checkDefines(defines);
  const crossCompile = options.crossCompile ?? 'aarch64-linux-gnu-';
  const buildDir = resolve(options.buildDir);
  const outDir = resolve(options.outDir);

  const uts = await readUtsRelease(buildDir);
  if (uts === undefined) {
    throw new InfraError('E_MODULE_BUILD_DIR', `${buildDir} is not a prepared kernel build tree (no include/generated/utsrelease.h)`);
  }
  if (uts !== options.release) {
    throw new InfraError('E_MODULE_BUILD_DIR', `${buildDir} is for kernel ${uts}, not ${options.release}`);
  }

  // kbuild writes objects next to the sources, so it gets its own copy.
  const src = join(outDir, 'src');
  await rm(src, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await cp(options.sourceDir ?? SIM_MODULE_SOURCE_DIR, src, { recursive: true });

  await run(
    'make',
    [
      '-C', buildDir,
      `M=${src}`,
      'ARCH=arm64',
      `CROSS_COMPILE=${crossCompile}`,
      `PAS_SIM_DEFINES=${defines.map((d) => `-D${d}`).join(' ')}`,
      // Headers that ship a BTF vmlinux (Debian 6.12.118 on) would otherwise need pahole; a test module needs no BTF.
      'CONFIG_DEBUG_INFO_BTF_MODULES=',
      `-j${Math.min(4, availableParallelism())}`,
      'modules',
    ],
    options,
    'build the simulated SoC module',
    (failure) => {
      const errors = buildErrorLines(failure.output);
      return new InfraError('E_MODULE_BUILD', `building ${SIM_MODULE_FILE} for ${options.release} failed: ${errors[0] ?? `make ${failure.how}`}`, {
        evidence: errors.length ? errors : tailLines(failure.output),
      });
    },
  );

  const built = join(src, SIM_MODULE_FILE);
  if (options.stripDebug ?? true) {
    await run(`${crossCompile}strip`, ['--strip-debug', built], options, 'strip the module', (failure) =>
      new InfraError('E_MODULE_BUILD', `stripping ${built} failed`, { evidence: failure.output.split('\n').slice(-5) }),
    );
  }

  const vermagic = readModinfo(await readFile(built)).get('vermagic')?.[0] ?? '';
  if (!vermagic.startsWith(`${options.release} `)) {
    throw new InfraError('E_MODULE_VERMAGIC', `${SIM_MODULE_FILE} was built with vermagic "${vermagic}", not for ${options.release}`);
  }

  const target = join(outDir, SIM_MODULE_FILE);
  await cp(built, target);
  return target;
}

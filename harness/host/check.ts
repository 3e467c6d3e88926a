// Checks each host requirement without changing anything; doctor prints the result.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CHECK_REQUIREMENTS,
  MIN_NODE_VERSION,
  packageRequirements,
  type HostRequirement,
} from './requirements.ts';

const execFileAsync = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RequirementStatus {
  requirement: HostRequirement;
  /** Package name or check id. */
  name: string;
  present: boolean;
  /** Installed version, when cheap to know. */
  version: string | undefined;
  /** Why it counts as missing, or extra facts when present. */
  detail: string | undefined;
}

/**
 * Finds a command on PATH the way a shell would; an absolute path need only exist, since some are data pilot hands to a
 * tool (U-Boot's firmware to QEMU, LAVA's schema module to Python) rather than programs it runs.
 */
export function locateExecutable(command: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  const candidates = isAbsolute(command) ? [command] : pathEnv.split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, isAbsolute(command) ? constants.R_OK : constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next PATH entry
    }
  }
  return undefined;
}

/** One dpkg-query for every package: name → version of installed packages. */
export async function installedPackageVersions(names: string[]): Promise<Map<string, string>> {
  const versions = new Map<string, string>();
  if (names.length === 0) return versions;
  let stdout = '';
  try {
    ({ stdout } = await execFileAsync('dpkg-query', ['-W', '-f=${Package}\t${db:Status-Status}\t${Version}\n', ...names]));
  } catch (error) {
    // dpkg-query exits 1 when some names are unknown but still prints the known ones.
    stdout = (error as { stdout?: string }).stdout ?? '';
  }
  for (const line of stdout.split('\n')) {
    const [name, status, version] = line.split('\t');
    if (name && status === 'installed' && version) versions.set(name, version);
  }
  return versions;
}

export function nodeVersionOk(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > MIN_NODE_VERSION.major || (major === MIN_NODE_VERSION.major && minor >= MIN_NODE_VERSION.minor);
}

async function foreignArchitectures(): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync('dpkg', ['--print-foreign-architectures']);
    return stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  } catch {
    return [];
  }
}

function hasArm64Lists(listsDir = '/var/lib/apt/lists'): boolean {
  try {
    return readdirSync(listsDir).some((name) => /_binary-arm64_Packages/.test(name));
  } catch {
    return false;
  }
}

function nodeModulesFresh(): { ok: boolean; detail: string } {
  const stamp = join(REPO_ROOT, 'node_modules', '.package-lock.json');
  if (!existsSync(stamp)) return { ok: false, detail: 'node_modules is missing' };
  const lock = join(REPO_ROOT, 'package-lock.json');
  if (existsSync(lock) && statSync(lock).mtimeMs > statSync(stamp).mtimeMs) {
    return { ok: false, detail: 'node_modules is older than package-lock.json' };
  }
  return { ok: true, detail: join(REPO_ROOT, 'node_modules') };
}

export async function checkHost(): Promise<RequirementStatus[]> {
  const packages = packageRequirements();
  const [versions, arches] = await Promise.all([
    installedPackageVersions(packages.map((p) => p.package)),
    foreignArchitectures(),
  ]);
  const statuses: RequirementStatus[] = packages.map((requirement) => {
    const version = versions.get(requirement.package);
    const found = requirement.provides ? locateExecutable(requirement.provides) : undefined;
    let detail: string | undefined;
    if (!version) detail = 'package not installed';
    else if (requirement.provides && !found) detail = `installed, but ${requirement.provides} is not found`;
    else detail = found;
    return { requirement, name: requirement.package, present: Boolean(version && (found || !requirement.provides)), version, detail };
  });
  for (const requirement of CHECK_REQUIREMENTS) {
    let present = false;
    let version: string | undefined;
    let detail: string | undefined;
    switch (requirement.id) {
      case 'node':
        version = process.versions.node;
        present = nodeVersionOk(version);
        if (!present) detail = `need >= ${MIN_NODE_VERSION.major}.${MIN_NODE_VERSION.minor}`;
        break;
      case 'arm64-arch':
        present = arches.includes('arm64');
        detail = present ? undefined : `foreign architectures: ${arches.join(' ') || 'none'}`;
        break;
      case 'arm64-lists':
        present = hasArm64Lists();
        detail = present ? undefined : 'no *_binary-arm64_Packages in /var/lib/apt/lists';
        break;
      case 'node-modules': {
        const fresh = nodeModulesFresh();
        present = fresh.ok;
        detail = fresh.detail;
        break;
      }
      default:
        detail = 'unknown check';
    }
    statuses.push({ requirement, name: requirement.id, present, version, detail });
  }
  return statuses;
}

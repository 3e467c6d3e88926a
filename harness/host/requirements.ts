// What the host must have for pilot to build images and boot guests; ci/setup-host.sh reads the same package file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The data file both this module and ci/setup-host.sh read, so the two lists cannot drift. */
export const REQUIREMENTS_FILE = fileURLToPath(new URL('./requirements.txt', import.meta.url));

export const MIN_NODE_VERSION = { major: 20, minor: 5 } as const;

/** `run`: pilot itself needs it; `test`: only the test suite does. */
export type RequirementScope = 'run' | 'test';

export interface PackageRequirement {
  kind: 'package';
  scope: RequirementScope;
  /** Debian package name (host architecture). */
  package: string;
  /** A command on PATH, or an absolute path, that the package provides and pilot runs. */
  provides: string;
  why: string;
  install: string;
}

export interface CheckRequirement {
  kind: 'check';
  /** Stable id, e.g. node, arm64-arch. */
  id: string;
  why: string;
  install: string;
}

export type HostRequirement = PackageRequirement | CheckRequirement;

/** Parses requirements.txt: `[run]`/`[test]` section lines, then `package | provides | why`, `#` comments, blank lines. */
export function parseRequirementsFile(text: string): PackageRequirement[] {
  const out: PackageRequirement[] = [];
  let scope: RequirementScope = 'run';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const section = /^\[(run|test)\]$/.exec(line);
    if (section) {
      scope = section[1] as RequirementScope;
      continue;
    }
    const [pkg = '', provides = '', ...why] = line.split('|').map((field) => field.trim());
    if (!pkg) continue;
    out.push({
      kind: 'package',
      scope,
      package: pkg,
      provides,
      why: why.join('|').trim(),
      install: `apt-get install -y ${pkg}`,
    });
  }
  return out;
}

/** The packages for `scope`: `run` alone, or `test`, which is everything the suite needs (run's packages included). */
export function packageRequirements(scope: RequirementScope = 'test', file = REQUIREMENTS_FILE): PackageRequirement[] {
  const all = parseRequirementsFile(readFileSync(file, 'utf8'));
  return scope === 'test' ? all : all.filter((r) => r.scope === 'run');
}

/** Host state that is not a package: checked by doctor, fixed by setup-host.sh. */
export const CHECK_REQUIREMENTS: readonly CheckRequirement[] = [
  {
    kind: 'check',
    id: 'node',
    why: `pilot runs on Node >= ${MIN_NODE_VERSION.major}.${MIN_NODE_VERSION.minor} through tsx`,
    install: 'install Node 20 or newer (Debian 12 ships 18)',
  },
  {
    kind: 'check',
    id: 'arm64-arch',
    why: 'guest packages are arm64 Debian packages fetched with apt-get download pkg:arm64',
    install: 'dpkg --add-architecture arm64 && apt-get update',
  },
  {
    kind: 'check',
    id: 'arm64-lists',
    why: 'apt-cache must know the arm64 packages (kernel, xen, busybox, dropbear, kexec)',
    install: 'apt-get update',
  },
  {
    kind: 'check',
    id: 'node-modules',
    why: 'the TypeScript harness needs its npm dependencies',
    install: 'npm ci',
  },
];

export function hostRequirements(): HostRequirement[] {
  return [...packageRequirements(), ...CHECK_REQUIREMENTS];
}

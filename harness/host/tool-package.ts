// Which Debian package gives the host a command, so an error about a missing tool can say what to install.
import { basename } from 'node:path';
import { packageRequirements } from './requirements.ts';

/**
 * Commands that requirements.txt does not name in its `provides` column (it names one per package, the one doctor
 * checks), but that pilot runs: a listed package's other commands, and tools of Debian's base system.
 */
const OTHER_COMMANDS: Readonly<Record<string, string>> = {
  fdtput: 'device-tree-compiler',
  fdtoverlay: 'device-tree-compiler',
  mkenvimage: 'u-boot-tools',
  'aarch64-linux-gnu-strip': 'binutils-aarch64-linux-gnu',
  'dpkg-deb': 'dpkg',
  dpkg: 'dpkg',
  'apt-get': 'apt',
  'apt-cache': 'apt',
  cp: 'coreutils',
  mv: 'coreutils',
  setpriv: 'util-linux',
  sh: 'dash',
};

/** The package for `command` (a name on PATH or an absolute path): requirements.txt first, then the list above. */
export function packageProviding(command: string): string | undefined {
  const name = basename(command);
  const listed = packageRequirements('test').find((requirement) => requirement.provides === command || basename(requirement.provides) === name);
  return listed?.package ?? OTHER_COMMANDS[name];
}

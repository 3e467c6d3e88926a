// Renders the README's layout section from the floors, so the README and the layering test cannot disagree.
import { FLOORS } from './floors.ts';

export const LAYOUT_BEGIN = '<!-- layout:begin -->';
export const LAYOUT_END = '<!-- layout:end -->';

/** What each folder under harness/ holds, one line each. */
export const FOLDER_ROLES: Readonly<Record<string, string>> = {
  cli: 'flags and help, one file per command, exit codes',
  runner: 'the step engine, one run, the deploy stage, the matrix, kernel and board planning, shards, artifacts',
  report: 'console, JUnit, results.json, HTML, KCIDB, compare reports, merge',
  export: 'LAVA job export',
  bench: 'timing measurements behind `pilot bench`',
  kernel: 'a kernel under test, checked and staged on the host: build trees, Images, packages, config, notes',
  deploy: 'putting that kernel on a target: push, kexec and reboot deployers, proof',
  steps: 'one file per step kind, and their registry',
  oracles: 'run-wide checks: the kernel-error oracle, the SMMU fault storm',
  'known-issues': 'known failures: the shared file, matching, wording',
  machine: 'QEMU and lab-board backends, command lines, U-Boot boot disk, process lifetime, serial capture, self-check',
  images: 'image building and caching from Debian packages',
  guest: 'ssh2 session, command exec, the /dev/kmsg stream, sysfs readers',
  scenario: 'the scenario format: schema, loading, matrix expansion, its own known issues',
  config: 'YAML with positions, zod messages at file:line:col, shared field types, text patterns, config problems',
  model: 'profiles, results, artifact names, exit codes, kernel specs, kernel-error names',
  host: 'host requirements (setup and doctor share them)',
  core: 'errors with stable codes and their catalogue, waits that race deadline / death / abort, small helpers',
};

export function renderLayout(): string {
  const lines = ['```', 'harness/   the framework (TypeScript, run through tsx; no build step), in floors: each imports only from its own floor and below'];
  for (const floor of FLOORS) {
    lines.push(`  ${floor.name}: ${floor.holds}`);
    for (const folder of floor.folders) lines.push(`    ${`${folder}/`.padEnd(14)}${FOLDER_ROLES[folder] ?? ''}`);
  }
  lines.push(
    'scenarios/ scenario YAML',
    'boards/    lab board files (an example)',
    'images/    guest image recipes: rootfs (/init), simulated SoC module, DT overlays, firmware, U-Boot script, EL3 firmware, kernel-tree recipes',
    'ci/        host set-up, the clean-root check; nightly/ holds the GitLab CI and GitHub Actions pipelines',
    'test/      vitest: unit tests with fakes, integration tests with real QEMU boots, Chromium and lava-run;',
    '           test/architecture/ reads every import under harness/ and fails on one that climbs a floor or closes a cycle',
    '```',
  );
  return lines.join('\n');
}

/** The README with its layout section replaced by the rendered one. */
export function withLayout(readme: string): string {
  const begin = readme.indexOf(LAYOUT_BEGIN);
  const end = readme.indexOf(LAYOUT_END);
  if (begin < 0 || end < begin) throw new Error(`README.md lacks the ${LAYOUT_BEGIN} … ${LAYOUT_END} markers`);
  return `${readme.slice(0, begin + LAYOUT_BEGIN.length)}\n${renderLayout()}\n${readme.slice(end)}`;
}

// The name of every file a run leaves in its artifacts folder: the runner writes them and the reports link them by these names alone.

/** The invocation's folder (artifacts/<timestamp>/). */
export const RESULTS_JSON = 'results.json';
export const JUNIT_XML = 'junit.xml';
export const REPORT_HTML = 'report.html';
export const COMPARE_JSON = 'compare.json';
export const COMPARE_JUNIT_XML = 'compare-junit.xml';

/** One run's folder (artifacts/<timestamp>/<scenario>@<profile>/). */
export const RUN_RESULT_JSON = 'result.json';
export const SERIAL_LOG = 'serial.log';
export const DMESG_LOG = 'dmesg.log';
/** With `soc: real`: the EL3 firmware's host channel (secure UART), one timestamped line per firmware event. */
export const TZ_LOG = 'tz.log';
/** With `soc: real`: the generated device tree's source, for reading what the kernel was given. */
export const MACHINE_DTS = 'machine.dts';
/** QEMU machines: one line per flush of TCG's translations at a kexec or restart (machine/handover-watch.ts). */
export const JIT_FLUSH_LOG = 'jit-flush.log';
export const SELF_CHECK_TXT = 'self-check.txt';
export const QEMU_CMDLINE_SH = 'qemu-cmdline.sh';
export const BOARD_LOG = 'board.log';
export const DEPLOY_DIR = 'deploy';
export const DEPLOY_JSON = 'deploy.json';
export const STEPS_DIR = 'steps';
/** Written when `run --keep-failed` keeps the run's machine up: where `pilot shell` finds it (model/keep-record.ts). */
export const KEEP_JSON = 'keep.json';
/** The kernel log before step 1, in the steps folder. */
export const BOOT_DMESG_FILE = '00-boot.dmesg';

/** `04-expect-dmesg.dmesg`: the kernel log of step `index` (0-based), numbered from 1 so files sort in step order. */
export function stepDmesgFile(index: number, kind: string): string {
  return `${String(index + 1).padStart(2, '0')}-${kind}.dmesg`;
}

/** The same file relative to the run's folder, as reports link it. */
export function stepDmesgPath(index: number, kind: string): string {
  return `${STEPS_DIR}/${stepDmesgFile(index, kind)}`;
}

/** `03-run.stdout`: another file a step keeps beside its dmesg window, e.g. a command's whole output. */
export function stepFile(index: number, kind: string, suffix: string): string {
  return `${String(index + 1).padStart(2, '0')}-${kind}.${suffix}`;
}

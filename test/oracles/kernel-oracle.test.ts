import { describe, expect, it } from 'vitest';
import type { KmsgRecord } from '../../harness/guest/guest.ts';
import { PROFILE_NAMES } from '../../harness/model/profile.ts';
import { checkKernelErrors, describeOracleResult, kernelErrorFailure } from '../../harness/oracles/kernel-oracle.ts';
import { realBootLog } from '../fakes/kmsg.ts';

function log(lines: Array<string | [string, number]>): KmsgRecord[] {
  return lines.map((entry, seq) => {
    const [text, facility] = typeof entry === 'string' ? [entry, 0] : entry;
    return { seq, level: 4, facility, usec: seq * 1000, text };
  });
}

// Lines a normal boot or a test may print that merely look alarming.
const LOOKALIKES = [
  'Warning: unable to open an initial console.',
  'ACPI: Interpreter disabled.',
  '[Firmware Bug]: CPU0: APIC id mismatch',
  'systemd-journald: debug logging enabled',
  'cacheinfo: Unable to detect cache hierarchy for CPU 0',
  'kasan: KernelAddressSanitizer initialized (generic)',
  'EXT4-fs (vda): warning: mounting unchecked fs',
  'debugfs: Directory \'adsp\' with parent \'remoteproc\' already present!',
  'remoteproc remoteproc0: crash detected in adsp: type watchdog',
  'pci 0000:00:00.0: Failed to add - passthrough or MSI/MSI-X might fail!',
  'Oopsed too often (kernel.oops_limit is 10000)',
  'xhci_hcd 0000:00:14.0: WARNING: Host System Error',
  'hid-generic 0003:046D:C52B.0003: BUG: report descriptor too short',
];

describe('checkKernelErrors', () => {
  it.each(PROFILE_NAMES)('finds nothing in a real clean boot on %s', (profile) => {
    const records = realBootLog(profile);
    expect(records.length).toBeGreaterThan(250);
    expect(checkKernelErrors(records).incidents).toEqual([]);
  });

  it('finds nothing in lines that only look alarming', () => {
    expect(checkKernelErrors(log(LOOKALIKES)).incidents).toEqual([]);
  });

  it('ignores error-looking lines written to /dev/kmsg from user space', () => {
    const result = checkKernelErrors(log([['BUG: this is a test harness echo', 1], ['Kernel panic - not syncing: echo', 1]]));
    expect(result.incidents).toEqual([]);
  });

  it.each([
    ['Internal error: Oops: 0000000096000005 [#1] SMP', 'oops'],
    ['Internal error: Oops - BUG: 00000000f2000800 [#1] SMP', 'oops'],
    ['Oops: general protection fault, probably for non-canonical address', 'oops'],
    ['BUG: scheduling while atomic: swapper/0/0/0x00000002', 'bug'],
    ['kernel BUG at drivers/remoteproc/remoteproc_core.c:1234!', 'bug'],
    ['WARNING: CPU: 1 PID: 57 at drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c:2090 arm_smmu_probe+0x1c/0x40', 'warning'],
    ['WARNING: possible circular locking dependency detected', 'warning'],
    ['Kernel panic - not syncing: Oops: Fatal exception', 'panic'],
    ['Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008', 'unable-to-handle'],
    ['Unable to handle kernel paging request at virtual address ffff800009ab0000', 'unable-to-handle'],
    ['BUG: KASAN: slab-out-of-bounds in qcom_pas_start+0x44/0x100', 'kasan'],
    ['Call trace:', 'call-trace'],
  ])('%s -> %s', (line, pattern) => {
    const result = checkKernelErrors(log(['ok before', line, 'ok after']));
    expect(result.incidents.map((incident) => incident.pattern)).toEqual([pattern]);
    expect(result.incidents[0]!.record.text).toBe(line);
  });

  it('attaches the Call trace: of a report to it instead of counting it twice', () => {
    const result = checkKernelErrors(
      log([
        '------------[ cut here ]------------',
        'WARNING: CPU: 0 PID: 1 at drivers/virtio/virtio.c:10 virtio_dev_probe+0x10/0x20',
        'Modules linked in: virtio_net',
        'Call trace:',
        ' virtio_dev_probe+0x10/0x20',
        '---[ end trace 0000000000000000 ]---',
        'Call trace:',
      ]),
    );
    expect(result.incidents.map((incident) => [incident.pattern, incident.record.seq, incident.related.map((r) => r.seq)])).toEqual([
      ['warning', 1, [3]],
      ['call-trace', 6, []],
    ]);
  });

  it('quotes the report with context, marking the matching line', () => {
    const [incident] = checkKernelErrors(log(['a', 'b', 'c', 'BUG: spinlock bad magic on CPU#0', 'd'])).incidents;
    expect(incident!.evidence).toEqual([
      '  [    0.001000] b',
      '  [    0.002000] c',
      '> [    0.003000] BUG: spinlock bad magic on CPU#0',
      '  [    0.004000] d',
    ]);
  });

  it('skips opted-out patterns by name, with the reason, and keeps the others', () => {
    const optOuts = [{ pattern: 'warning', reason: 'known virtio WARNING on QEMU 7.2' }];
    const records = log(['WARNING: CPU: 0 PID: 1 at drivers/virtio/virtio.c:10 x+0x1/0x2', 'Call trace:', 'BUG: sleeping function called from invalid context']);
    const result = checkKernelErrors(records, optOuts);
    expect(result.incidents.map((incident) => incident.pattern)).toEqual(['bug']);
    expect(result.ignored.map(({ incident, optOut }) => [incident.pattern, optOut.reason])).toEqual([['warning', 'known virtio WARNING on QEMU 7.2']]);
    expect(describeOracleResult(result, optOuts)).toEqual([
      'ignored kernel warning report "WARNING: CPU: 0 PID: 1 at drivers/virtio/virtio.c:10 x+0x1/0x2": opted out by \'warning\' because known virtio WARNING on QEMU 7.2',
    ]);
  });

  it('skips reports whose first line matches an opt-out regex, and only those', () => {
    const optOuts = [{ pattern: 'at drivers/virtio/', reason: 'virtio noise' }];
    const result = checkKernelErrors(
      log(['WARNING: CPU: 0 PID: 1 at drivers/virtio/virtio.c:10 x+0x1/0x2', 'WARNING: CPU: 0 PID: 1 at drivers/remoteproc/qcom_q6v5_pas.c:99 y+0x1/0x2']),
      optOuts,
    );
    expect(result.incidents.map((incident) => incident.record.seq)).toEqual([1]);
    expect(result.ignored.map(({ incident }) => incident.record.seq)).toEqual([0]);
  });

  it('says what it checked when nothing was found', () => {
    expect(describeOracleResult(checkKernelErrors(log(['fine'])), [])).toEqual(['no kernel error reports']);
    expect(describeOracleResult(checkKernelErrors(log(['fine'])), [{ pattern: 'warning', reason: 'r' }])).toEqual([
      'no kernel error reports (opted out: warning)',
    ]);
  });

  it('builds an F_KERNEL_ERROR failure quoting every report', () => {
    const result = checkKernelErrors(log(['Unable to handle kernel paging request at virtual address 0', 'Internal error: Oops: 96000005 [#1] SMP']));
    const failure = kernelErrorFailure(result.incidents, 'during step 2');
    expect(failure.code).toBe('F_KERNEL_ERROR');
    expect(failure.failureClass).toBe('fail');
    expect(failure.message).toBe(
      'kernel reported 2 errors (unable-to-handle, oops) during step 2: Unable to handle kernel paging request at virtual address 0',
    );
    expect(failure.evidence.filter((line) => line.startsWith('>'))).toEqual([
      '> [    0.000000] Unable to handle kernel paging request at virtual address 0',
      '> [    0.001000] Internal error: Oops: 96000005 [#1] SMP',
    ]);
  });
});

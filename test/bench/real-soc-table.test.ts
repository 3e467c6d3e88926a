// The real SoC benchmark's table: the firmware's ratio is its line over today's, and the DSPs' time adds to SSH-ready.
import { describe, expect, it } from 'vitest';
import { formatRealSocTable } from '../../harness/bench/real-soc-bringup.ts';

describe('formatRealSocTable', () => {
  it('prints the ratio of the EL3 firmware line to today\'s and the DSPs up from QEMU start', () => {
    const table = formatRealSocTable([{ profile: 'kvm-el2', sshReadyPlainMs: 3000, sshReadyFirmwareMs: 3600, dspsUpAfterSshMs: 900 }], '6.12.118+deb12-arm64');
    const row = table.split('\n').find((line) => line.startsWith('kvm-el2'));
    expect(table.split('\n')[0]).toContain('6.12.118+deb12-arm64');
    expect(row).toMatch(/3\.00 s\s+3\.60 s\s+1\.20x\s+0\.90 s\s+4\.50 s$/);
  });
});

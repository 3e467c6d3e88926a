import { describe, expect, it } from 'vitest';
import { KbuildProgress, makeArguments } from '../../../harness/images/kernel-tree/make.ts';

describe('kbuild', () => {
  it('is run for arm64 with the cross compiler', () => {
    expect(makeArguments({ targets: ['allnoconfig'], variables: ['KCONFIG_ALLCONFIG=/r/f'], jobs: 2 })).toEqual([
      'ARCH=arm64',
      'CROSS_COMPILE=aarch64-linux-gnu-',
      '-j2',
      'KCONFIG_ALLCONFIG=/r/f',
      'allnoconfig',
    ]);
  });

  it('progress counts quiet-mode steps across chunk boundaries', () => {
    const progress = new KbuildProgress();
    expect(progress.feed('  CC      kernel/fork.o\n  AR   ')).toBe(1);
    expect(progress.feed('   kernel/built-in.a\nmake[1]: Entering directory\n  LD [M]  drivers/x.ko\n')).toBe(2);
    expect(progress.steps).toBe(3);
    expect(progress.last).toBe('LD [M]  drivers/x.ko');
  });
});

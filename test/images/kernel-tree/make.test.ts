import { describe, expect, it } from 'vitest';
import { KbuildProgress, compilerWarnings, makeArguments } from '../../../harness/images/kernel-tree/make.ts';

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

describe('compilerWarnings', () => {
  it('keeps the compiler\'s warning lines only', () => {
    const output = ['  CC      drivers/remoteproc/qcom_q6v5_pas.o', "drivers/remoteproc/qcom_q6v5_pas.c:291:12: warning: 'qcom_pas_bridge_create' defined but not used [-Wunused-function]", '  291 | static int qcom_pas_bridge_create(struct qcom_pas *pas)', 'make[1]: warning: jobserver unavailable'].join('\n');
    expect(compilerWarnings(output)).toEqual(["drivers/remoteproc/qcom_q6v5_pas.c:291:12: warning: 'qcom_pas_bridge_create' defined but not used [-Wunused-function]"]);
  });
});

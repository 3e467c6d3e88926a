import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../harness/core/errors.ts';
import { verifyFragment } from '../../../harness/images/kernel-tree/build.ts';
import { fragmentMismatches, parseDotConfig, parseFragment } from '../../../harness/images/kernel-tree/fragment.ts';
import { KERNEL_TREE_RECIPES_DIR } from '../../../harness/images/kernel-tree/recipe.ts';
import { rejectionOf } from '../../fakes/rejection.ts';

const FRAGMENT = `# the guest
CONFIG_TMPFS=y
CONFIG_QCOM_Q6V5_PAS=y

CONFIG_CMDLINE="console=ttyAMA0"
# CONFIG_MODULES is not set
# CONFIG_GONE is not set
`;

describe('config fragments', () => {
  it('parse set, unset and quoted values with their lines', () => {
    expect(parseFragment(FRAGMENT)).toEqual([
      { option: 'CONFIG_TMPFS', value: 'y', line: 2 },
      { option: 'CONFIG_QCOM_Q6V5_PAS', value: 'y', line: 3 },
      { option: 'CONFIG_CMDLINE', value: 'console=ttyAMA0', line: 5 },
      { option: 'CONFIG_MODULES', value: 'n', line: 6 },
      { option: 'CONFIG_GONE', value: 'n', line: 7 },
    ]);
  });

  it('refuse a line that is not config and an option set twice', () => {
    expect(() => parseFragment('CONFIG_A=y\nTMPFS=y\n', 'f')).toThrow('f:2: not a config line: TMPFS=y');
    expect(() => parseFragment('CONFIG_A=y\n# CONFIG_A is not set\n', 'f')).toThrow('f:2: CONFIG_A is set again (first at line 1)');
  });

  it('name every option the .config did not take, an unset one may be absent', () => {
    const config = parseDotConfig('CONFIG_TMPFS=y\nCONFIG_QCOM_Q6V5_PAS=m\nCONFIG_CMDLINE="console=ttyAMA0"\n# CONFIG_MODULES is not set\n');
    expect(fragmentMismatches(parseFragment(FRAGMENT), config)).toEqual([{ option: 'CONFIG_QCOM_Q6V5_PAS', value: 'y', line: 3, got: 'm' }]);
    const dropped = parseDotConfig('CONFIG_TMPFS=y\n');
    expect(fragmentMismatches(parseFragment(FRAGMENT), dropped).map((m) => `${m.option}:${m.got}`)).toEqual([
      'CONFIG_QCOM_Q6V5_PAS:absent',
      'CONFIG_CMDLINE:absent',
    ]);
  });

  it('fail the build with E_KERNEL_TREE_CONFIG, each option with its line and what it got', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'pilot-tree-'));
    writeFileSync(join(tree, '.config'), 'CONFIG_TMPFS=y\nCONFIG_CMDLINE="console=ttyAMA0"\n# CONFIG_QCOM_Q6V5_PAS is not set\n');
    const error = await rejectionOf(verifyFragment(tree, FRAGMENT, 'qcom.fragment'), InputError);
    expect(error.code).toBe('E_KERNEL_TREE_CONFIG');
    expect(error.message).toBe('1 option(s) of qcom.fragment did not take their value: CONFIG_QCOM_Q6V5_PAS');
    expect(error.evidence).toEqual(['qcom.fragment:3: CONFIG_QCOM_Q6V5_PAS=y gave CONFIG_QCOM_Q6V5_PAS=n']);
    writeFileSync(join(tree, '.config'), 'CONFIG_TMPFS=y\nCONFIG_QCOM_Q6V5_PAS=y\nCONFIG_CMDLINE="console=ttyAMA0"\n');
    await expect(verifyFragment(tree, FRAGMENT, 'qcom.fragment')).resolves.toBeInstanceOf(Map);
  });

  it('the repository\'s fragments parse and ask for what pilot\'s deploys need', () => {
    for (const recipe of ['qcom-6.12', 'sim-6.1']) {
      const options = new Map(parseFragment(readFileSync(join(KERNEL_TREE_RECIPES_DIR, recipe, 'config.fragment'), 'utf8')).map((o) => [o.option, o.value]));
      for (const needed of ['CONFIG_KEXEC', 'CONFIG_DEBUG_FS', 'CONFIG_VIRTIO_NET', 'CONFIG_VIRTIO_PCI', 'CONFIG_REMOTEPROC', 'CONFIG_ARM_SMMU_V3', 'CONFIG_DEVTMPFS', 'CONFIG_TMPFS']) {
        expect(options.get(needed), `${recipe} ${needed}`).toBe('y');
      }
    }
  });
});

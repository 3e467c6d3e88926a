import { describe, expect, it } from 'vitest';
import { baseTreeKey, variantTreeKey, type BaseKeyInputs } from '../../../harness/images/kernel-tree/key.ts';

const INPUTS: BaseKeyInputs = {
  source: { name: 'linux-source-6.12', version: '6.12.118-1~deb12u1', sha256: 'aa' },
  fragment: 'CONFIG_TMPFS=y\n',
  patches: [{ name: 'a.patch', text: '--- a/x\n+++ b/x\n' }],
  compiler: 'aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0',
};

describe('kernel tree cache keys', () => {
  it('follow the source, the fragment, the patches and the compiler, nothing else', () => {
    const key = baseTreeKey(INPUTS);
    expect(baseTreeKey({ ...INPUTS, patches: [{ name: '/elsewhere/a.patch', text: INPUTS.patches[0]!.text }] })).toBe(key);
    for (const changed of [
      { ...INPUTS, source: { ...INPUTS.source, version: '6.12.119-1~deb12u1' } },
      { ...INPUTS, source: { ...INPUTS.source, sha256: 'bb' } },
      { ...INPUTS, fragment: 'CONFIG_TMPFS=y\nCONFIG_KEXEC=y\n' },
      { ...INPUTS, patches: [{ name: 'a.patch', text: '--- a/x\n+++ b/x\n@@\n' }] },
      { ...INPUTS, patches: [] },
      { ...INPUTS, compiler: 'aarch64-linux-gnu-gcc (Debian 12.2.0-15) 12.2.0' },
    ]) {
      expect(baseTreeKey(changed)).not.toBe(key);
    }
  });

  it('of a variant follow its base and its extra patches, in order', () => {
    const base = baseTreeKey(INPUTS);
    const one = { name: 'fix.patch', text: 'one' };
    const two = { name: 'more.patch', text: 'two' };
    expect(variantTreeKey(base, [one])).toBe(variantTreeKey(base, [one]));
    expect(variantTreeKey(base, [one])).not.toBe(base);
    expect(variantTreeKey(base, [one, two])).not.toBe(variantTreeKey(base, [two, one]));
    expect(variantTreeKey(baseTreeKey({ ...INPUTS, fragment: 'CONFIG_KEXEC=y\n' }), [one])).not.toBe(variantTreeKey(base, [one]));
  });
});

// The flags of `pilot images`, declared once.
import { defineCommand } from '../command-spec.ts';

export const IMAGES = defineCommand({
  name: 'images',
  summary: 'build or locate the guest images (kernel, Xen, initramfs, keys)',
  operands: 'build|path|clean',
  about: [
    '  build  build (or reuse) kernel, headers, Xen, userland, the simulated SoC (soc-module, soc-firmware)',
    '         and the initramfs; and the real SoC\'s set (Debian 6.12 kernel and headers, the EL3 firmware,',
    '         its initramfs, Xen built from source with the SiP-forwarding hook) that soc: real scenarios boot',
    '  path   print the image cache folder',
    '  clean  remove the image cache folder (downloads, pieces, SSH key)',
    'The cache folder is PILOT_CACHE, else $XDG_CACHE_HOME/pilot, else ~/.cache/pilot.',
  ].join('\n'),
  flags: {
    force: { description: 'build: rebuild every piece, cached or not' },
    'cache-dir': { value: 'DIR', description: 'the image cache folder', default: 'see above' },
    module: { value: 'NAME', repeatable: true, description: 'build: also load this in-tree kernel module from the initramfs at boot' },
    'no-soc': { description: 'build: leave the simulated SoC out' },
    'no-real-soc': { description: 'build: leave the real SoC\'s set out (soc: real runs build it when they need it)' },
  },
});

// Flags `pilot run` and `pilot compare` share, declared once so both say the same thing.
import { PROFILE_NAMES } from '../../model/profile.ts';
import type { FlagSpec } from '../command-spec.ts';

/** What a kernel argument may be, in the words both commands' help uses. */
export const KERNEL_FORMS = 'a build tree (make ARCH=arm64 Image modules), an Image with its modules, a .deb,\nor a Debian package name such as linux-image-rt-arm64';

export const MATRIX_FLAGS = {
  jobs: { alias: 'j', value: 'N', description: 'runs in parallel', default: 'number of cores' },
  profile: { alias: 'p', value: 'P', repeatable: true, description: `only these profiles: ${PROFILE_NAMES.join(', ')}` },
  timeout: { alias: 't', value: 'T', description: 'per-run timeout replacing the scenarios\' own' },
  board: { value: 'FILE', description: 'run on a lab board reached over SSH (see boards/) instead of QEMU, on the profile it claims' },
  'known-issues': { value: 'F', description: 'known failures; matching ones are reported KNOWN', default: 'known-issues.yaml when present' },
  deploy: { value: 'D', description: 'how the kernel starts: auto (kexec, reboot where kexec is impossible), kexec, reboot, direct (QEMU boots it from the start)', default: 'auto' },
} as const satisfies Record<string, FlagSpec>;

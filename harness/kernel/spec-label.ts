// How a kernel source reads in progress lines and reports.
import type { KernelSpec } from '../model/kernel-spec.ts';

export function kernelSpecLabel(spec: KernelSpec): string {
  switch (spec.kind) {
    case 'build-dir':
      return `build tree ${spec.dir}`;
    case 'image+modules':
      return `${spec.image} with modules ${spec.modules}`;
    case 'debian-package':
      return `Debian package ${spec.name}`;
    case 'deb':
      return `package file ${spec.path}`;
  }
}

// What a kernel tree's cache entry is keyed by: the source package's bytes, the fragment, the patches, the compiler.
// The builder's own code is not in the key (a refactor must not throw away a 20-minute build): bump TREE_FORMAT
// when what a build does changes.
import { basename } from 'node:path';
import { cacheKey, sha256Hex } from '../cache.ts';

export const KERNEL_TREE_PIECE = 'kernel-tree';
/** Bump when the build steps change what ends up in a tree. */
export const TREE_FORMAT = 1;

export interface SourcePin {
  name: string;
  version: string;
  sha256: string;
}

export interface NamedText {
  /** A patch's file name, for people reading a manifest; its bytes decide the key. */
  name: string;
  text: string;
}

export interface BaseKeyInputs {
  source: SourcePin;
  fragment: string;
  patches: readonly NamedText[];
  /** `aarch64-linux-gnu-gcc --version`'s first line. */
  compiler: string;
}

const digest = (patches: readonly NamedText[]) => patches.map((patch) => ({ name: basename(patch.name), sha256: sha256Hex(patch.text) }));

export function baseTreeKey(inputs: BaseKeyInputs): string {
  return cacheKey(KERNEL_TREE_PIECE, {
    format: TREE_FORMAT,
    source: { name: inputs.source.name, version: inputs.source.version, sha256: inputs.source.sha256 },
    fragment: sha256Hex(inputs.fragment),
    patches: digest(inputs.patches),
    compiler: inputs.compiler,
  });
}

/** A variant is its base plus extra patches: a new base key rebuilds every variant. */
export function variantTreeKey(baseKey: string, extraPatches: readonly NamedText[]): string {
  return cacheKey(KERNEL_TREE_PIECE, { format: TREE_FORMAT, base: baseKey, extra: digest(extraPatches) });
}

// The Debian arm64 kernel, its modules and headers, from the image pipeline's cache (downloaded once).
import { buildImages } from '../../../harness/images/build.ts';
import type { ImageSet } from '../../../harness/images/image-set.ts';

let images: Promise<ImageSet> | undefined;

export function guestImages(): Promise<ImageSet> {
  images ??= buildImages();
  return images;
}

// Progress events of an image build, so a user sees which piece takes the time.

export type ImagePiece = 'apt' | 'ssh-key' | 'kernel' | 'kernel-headers' | 'xen' | 'userland' | 'initramfs';
export type ImagePhase = 'cached' | 'download' | 'extract' | 'build' | 'done';

export interface ImageProgress {
  piece: ImagePiece | string;
  phase: ImagePhase;
  detail: string;
  /** Milliseconds since buildImages() started. */
  elapsedMs: number;
}

export type ProgressSink = (piece: string, phase: ImagePhase, detail: string) => void;

export function progressSink(onProgress: ((event: ImageProgress) => void) | undefined, started = Date.now()): ProgressSink {
  return (piece, phase, detail) => {
    if (!onProgress) return;
    try {
      onProgress({ piece, phase, detail, elapsedMs: Date.now() - started });
    } catch {
      // a throwing listener must not break the build
    }
  };
}

// What every piece's recipe gets from buildImages(): where to cache, how to ask apt, how to report.
import type { Apt, DependencyGraph } from './apt.ts';
import type { ProgressSink } from './progress.ts';

export interface BuildContext {
  cacheDir: string;
  /** Verified .deb files, shared by all pieces. */
  debDir: string;
  apt: Apt;
  /** apt's dependency graph of every root this build asked about (one apt-cache call). */
  graph: DependencyGraph;
  signal: AbortSignal | undefined;
  force: boolean;
  progress: ProgressSink;
  /** Installed host package versions that recipes depend on (kmod's depmod, linux-kbuild). */
  hostVersions: Map<string, string>;
}

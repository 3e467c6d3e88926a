// The kernel's own error reports by name (panic, oops, BUG, WARNING…): the oracle matches them and scenarios opt out of them by these names.

export const KERNEL_ERROR_PATTERN_NAMES = ['panic', 'kasan', 'oops', 'unable-to-handle', 'bug', 'warning', 'call-trace'] as const;
export type KernelErrorPatternName = (typeof KERNEL_ERROR_PATTERN_NAMES)[number];

export interface KernelErrorPattern {
  name: KernelErrorPatternName;
  description: string;
  regex: RegExp;
}

/**
 * Anchored on the prefixes the kernel itself prints (checked against the strings in Debian's 6.1 arm64 Image),
 * case-sensitive, so "debug", "Warning: unable to open an initial console" or "[Firmware Bug]" do not count.
 * Order matters: a record takes the first pattern it matches, most specific first.
 */
export const KERNEL_ERROR_PATTERNS: ReadonlyArray<KernelErrorPattern> = [
  { name: 'panic', description: 'Kernel panic - not syncing', regex: /^Kernel panic - not syncing\b/ },
  { name: 'kasan', description: 'KASAN report (BUG: KASAN: …)', regex: /^(?:BUG: )?KASAN: / },
  { name: 'oops', description: 'Internal error: Oops (arm64 die()) or Oops:', regex: /^Internal error: |^Oops(?:[:#]| - )/ },
  { name: 'unable-to-handle', description: 'Unable to handle kernel … at virtual address', regex: /^Unable to handle kernel / },
  { name: 'bug', description: 'BUG: … or kernel BUG at file:line!', regex: /^BUG: |^kernel BUG at / },
  { name: 'warning', description: 'WARNING: CPU: … PID: … at … (WARN()) and lockdep WARNING: reports', regex: /^WARNING: / },
  { name: 'call-trace', description: 'Call trace: not attached to any of the above', regex: /^Call [Tt]race:/ },
];

export interface KernelErrorOptOut {
  /** A pattern name from KERNEL_ERROR_PATTERN_NAMES, or a regex matched against the report's first line. */
  pattern: string;
  reason: string;
}

export function isKernelErrorPatternName(value: string): value is KernelErrorPatternName {
  return (KERNEL_ERROR_PATTERN_NAMES as ReadonlyArray<string>).includes(value);
}

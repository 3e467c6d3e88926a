// pilot's exit codes, fixed so CI scripts can branch on them; the commands and the compare verdict both answer in them.
export const EXIT = {
  /** Every run passed. */
  passed: 0,
  /** At least one run failed: the kernel did not do what a scenario asserted. */
  failed: 1,
  /** Infrastructure error or bad input: nothing can be concluded about the kernel. */
  error: 2,
  /** Interrupted by SIGINT or SIGTERM. */
  interrupted: 130,
} as const;

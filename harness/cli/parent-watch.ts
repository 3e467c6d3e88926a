// Notices that the process which started pilot has gone (npm's wrapper killed, a CI runner that signals only its child, a closed terminal).
/** How often the parent is checked; an orphaned run should stop within about this long. */
export const PARENT_POLL_MS = 500;

/**
 * Calls `onGone` once when pilot is re-parented (its parent died and init or a subreaper adopted it). Returns a disposer.
 * Polling `process.ppid` is the portable way: Linux's PR_SET_PDEATHSIG is not reachable from Node.
 */
export function watchParent(onGone: (previousParent: number) => void, pollMs = PARENT_POLL_MS): () => void {
  const parent = process.ppid;
  // Started by init itself (a container's PID 1 exec'ing pilot): there is no parent to lose.
  if (parent <= 1) return () => undefined;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone(parent);
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}

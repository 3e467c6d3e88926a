// What the guest's /init promises the harness: one readiness line on the console, an SSH server, a fixed network.

/** Printed once by /init when SSH is listening: `pilot-guest-ready boot_id=<uuid> release=<uname -r>`. */
export const GUEST_READY_PREFIX = 'pilot-guest-ready';

/** Printed by /init when a boot step fails, before it drops to a console shell. */
export const GUEST_ERROR_PREFIX = 'pilot-guest-error:';

export interface GuestReady {
  bootId: string;
  release: string;
}

const READY_LINE = new RegExp(`${GUEST_READY_PREFIX} boot_id=([0-9a-f-]{36}) release=(\\S+)`);

/** Parses a console line; the line may carry a prefix (timestamps, Xen's `(d0)`), so it is searched, not anchored. */
export function parseReadyLine(line: string): GuestReady | undefined {
  const match = READY_LINE.exec(line);
  if (!match) return undefined;
  return { bootId: match[1]!, release: match[2]! };
}

/** The message of a `pilot-guest-error:` console line, if it is one. */
export function parseGuestErrorLine(line: string): string | undefined {
  const at = line.indexOf(GUEST_ERROR_PREFIX);
  return at < 0 ? undefined : line.slice(at + GUEST_ERROR_PREFIX.length).trim();
}

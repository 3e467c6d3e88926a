// The target's remoteproc and video4linux interfaces as the kernel exposes them, read and written through busybox sh:
// processors are found by name (never by index), and a refused write comes back as the errno the kernel returned.
import { z } from 'zod';
import { AssertionFailure, InfraError, isPilotError } from '../core/errors.ts';
import { race } from '../core/wait.ts';
import type { Guest } from './guest.ts';
import { describeValue } from '../config/fields.ts';
import { shellWord } from '../host/shell-quote.ts';

export const REMOTEPROC_CLASS = '/sys/class/remoteproc';
export const REMOTEPROC_DEBUGFS = '/sys/kernel/debug/remoteproc';
export const VIDEO4LINUX_CLASS = '/sys/class/video4linux';

/** rproc_state_string[] in remoteproc_sysfs.c (6.1), in enum rproc_state order. */
export const RPROC_STATES = ['offline', 'suspended', 'running', 'crashed', 'deleted', 'attached', 'detached', 'invalid'] as const;
export type RprocState = (typeof RPROC_STATES)[number];

/** What one guest command needs: the guest, and the step's limits. A StepContext is one. */
export interface GuestAccess {
  guest: Guest;
  signal: AbortSignal;
  deadline: number;
  machineDied: Promise<never>;
}

/** One /sys/class/remoteproc/remoteprocN, as read in one go. */
export interface RemoteprocEntry {
  /** remoteprocN: the index the kernel happened to give it, for messages only. */
  device: string;
  name: string;
  state: string;
  firmware: string;
  recovery: string;
}

export interface VideoNode {
  /** videoN */
  device: string;
  /** /sys/class/video4linux/videoN/name */
  name: string;
  /** /dev/videoN */
  path: string;
}

/**
 * How a write or an open ended: ok, or the errno the kernel returned (undefined when the shell's text is not one we know),
 * and whether open() or write() returned it: a sysfs file that cannot be opened is a different story from a refused write.
 */
export type SyscallOutcome = { ok: true } | { ok: false; errno: string | undefined; message: string; output: string; failedAt: 'open' | 'write' | undefined };

/** First line of every command, so logs (and test fakes) can tell them apart. */
export const SNIPPET_MARK = {
  listRemoteprocs: '# pilot:rproc-list',
  listVideoNodes: '# pilot:video-list',
  write: '# pilot:write',
  open: '# pilot:open',
} as const;

export function remoteprocAttribute(entry: Pick<RemoteprocEntry, 'device'>, attribute: string): string {
  return `${REMOTEPROC_CLASS}/${entry.device}/${attribute}`;
}

export function remoteprocDebugfs(entry: Pick<RemoteprocEntry, 'device'>, file: string): string {
  return `${REMOTEPROC_DEBUGFS}/${entry.device}/${file}`;
}

/** Every registered remote processor with its attributes, in one command. */
export async function listRemoteprocs(access: GuestAccess): Promise<RemoteprocEntry[]> {
  const script = [
    SNIPPET_MARK.listRemoteprocs,
    `for d in ${REMOTEPROC_CLASS}/*; do`,
    '  [ -r "$d/name" ] || continue',
    `  printf 'rproc\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "\${d##*/}" "$(cat "$d/name" 2>/dev/null)" "$(cat "$d/state" 2>/dev/null)" "$(cat "$d/firmware" 2>/dev/null)" "$(cat "$d/recovery" 2>/dev/null)"`,
    'done',
    'true',
  ].join('\n');
  const stdout = await runSnippet(access, script, 'listing the remote processors');
  return parseTabbedLines(stdout, 'rproc').map(([device = '', name = '', state = '', firmware = '', recovery = '']) => ({
    device,
    name,
    state,
    firmware,
    recovery,
  }));
}

/** "adsp → remoteproc1, cdsp → remoteproc0", or a note that there are none. */
export function describeRemoteprocs(entries: ReadonlyArray<RemoteprocEntry>): string {
  if (entries.length === 0) return `none (${REMOTEPROC_CLASS} is empty or missing)`;
  return entries.map((entry) => `${entry.name} → ${entry.device}`).join(', ');
}

/** The processor registered under `name`; several with that name is the kernel's doing, so it fails the step. */
export function remoteprocNamed(entries: ReadonlyArray<RemoteprocEntry>, name: string): RemoteprocEntry | undefined {
  const found = entries.filter((entry) => entry.name === name);
  if (found.length > 1) {
    throw new AssertionFailure('F_RPROC_AMBIGUOUS', `${found.length} remote processors are named '${name}': ${found.map((entry) => entry.device).join(', ')}`);
  }
  return found[0];
}

export const RPROC_BY_NAME_HINT = 'processors are matched by the name the driver gave them (/sys/class/remoteproc/*/name), never by remoteprocN';

/** "no remote processor named 'x'; registered: …" */
export function missingRemoteprocMessage(name: string, entries: ReadonlyArray<RemoteprocEntry>): string {
  return `no remote processor named '${name}'; registered: ${describeRemoteprocs(entries)}`;
}

/** Looks `name` up now, failing the step when it is not registered. */
export async function findRemoteproc(access: GuestAccess, name: string): Promise<RemoteprocEntry> {
  const entries = await listRemoteprocs(access);
  const entry = remoteprocNamed(entries, name);
  if (!entry) throw new AssertionFailure('F_RPROC_MISSING', missingRemoteprocMessage(name, entries), { hint: RPROC_BY_NAME_HINT });
  return entry;
}

/** Every video4linux node with its sysfs name. */
export async function listVideoNodes(access: GuestAccess): Promise<VideoNode[]> {
  const script = [
    SNIPPET_MARK.listVideoNodes,
    `for d in ${VIDEO4LINUX_CLASS}/*; do`,
    '  [ -r "$d/name" ] || continue',
    `  printf 'video\\t%s\\t%s\\n' "\${d##*/}" "$(cat "$d/name" 2>/dev/null)"`,
    'done',
    'true',
  ].join('\n');
  const stdout = await runSnippet(access, script, 'listing the video4linux nodes');
  return parseTabbedLines(stdout, 'video').map(([device = '', name = '']) => ({ device, name, path: `/dev/${device}` }));
}

export function describeVideoNodes(nodes: ReadonlyArray<VideoNode>): string {
  if (nodes.length === 0) return `none (${VIDEO4LINUX_CLASS} is empty or missing)`;
  return nodes.map((node) => `${node.name} → ${node.device}`).join(', ');
}

/** Writes `value` plus a newline to `path` in one write(), as `echo value > path` does, and reports the errno. */
export async function writeAttribute(access: GuestAccess, path: string, value: string): Promise<SyscallOutcome> {
  const script = [
    SNIPPET_MARK.write,
    `p=${shellWord(path)} v=${shellWord(value)}`,
    // busybox echo reports a failed write as "sh: write error: <strerror>"; a failed open as "sh: can't create <path>: …".
    `if out=$( { echo "$v" >"$p"; } 2>&1 ); then echo 'pilot-write ok'; else printf 'pilot-write failed %s\\n' "$out"; fi`,
  ].join('\n');
  const stdout = await runSnippet(access, script, `writing '${value}' to ${path}`);
  return parseOutcome(stdout, 'pilot-write', `writing '${value}' to ${path}`);
}

/** Opens `path` read-only and closes it again; `missing` when there is no such file at all. */
export async function openDevice(access: GuestAccess, path: string): Promise<SyscallOutcome | { ok: false; missing: true }> {
  const script = [
    SNIPPET_MARK.open,
    `p=${shellWord(path)}`,
    // The redirection opens the node and the subshell's exit closes it; ash reports a failed open as "sh: can't open <path>: …".
    `if [ ! -e "$p" ]; then echo 'pilot-open missing'; elif out=$( { : 3<"$p"; } 2>&1 ); then echo 'pilot-open ok'; else printf 'pilot-open failed %s\\n' "$out"; fi`,
  ].join('\n');
  const stdout = await runSnippet(access, script, `opening ${path}`);
  if (/^pilot-open missing$/m.test(stdout)) return { ok: false, missing: true };
  return parseOutcome(stdout, 'pilot-open', `opening ${path}`);
}

/** Runs a snippet that must exit 0; anything else is the harness's or the target's problem, not the kernel's answer. */
async function runSnippet(access: GuestAccess, script: string, what: string): Promise<string> {
  const timeoutMs = Math.max(1, access.deadline - Date.now());
  let result;
  try {
    result = await race(access.guest.exec(script, { timeoutMs, signal: access.signal }), what, {
      signal: access.signal,
      dies: [access.machineDied],
    });
  } catch (error) {
    if (isPilotError(error)) throw error;
    throw new InfraError('E_GUEST_SHELL', `${what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (result.code !== 0) {
    const stderr = result.stderr.trim();
    throw new InfraError('E_GUEST_SHELL', `${what}: the shell exited with ${result.code ?? result.signal ?? 'no status'}${stderr ? `: ${stderr}` : ''}`);
  }
  return result.stdout;
}

function parseTabbedLines(stdout: string, tag: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(`${tag}\t`))
    .map((line) => line.split('\t').slice(1));
}

function parseOutcome(stdout: string, tag: string, what: string): SyscallOutcome {
  if (new RegExp(`^${tag} ok$`, 'm').test(stdout)) return { ok: true };
  const at = stdout.indexOf(`${tag} failed `);
  if (at < 0) throw new InfraError('E_GUEST_SHELL', `${what}: unexpected output from the shell: ${stdout.trim() || '(nothing)'}`);
  const output = stdout.slice(at + `${tag} failed `.length).trim();
  return { ok: false, ...errnoFromShellMessage(output), output };
}

/**
 * The errno behind busybox's error text: "sh: write error: Invalid argument" → EINVAL. busybox ash words ENOENT and
 * ENOTDIR its own way on open ("no such file") and create ("nonexistent directory"); everything else is glibc strerror().
 */
export function errnoFromShellMessage(output: string): { errno: string | undefined; message: string; failedAt: 'open' | 'write' | undefined } {
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  for (const line of [...lines].reverse()) {
    const found = /(write error|can't (?:open|create) .*?): (.+)$/.exec(line);
    if (!found) continue;
    const message = found[2]!.trim();
    return { errno: errnoFromStrerror(message), message, failedAt: found[1] === 'write error' ? 'write' : 'open' };
  }
  return { errno: undefined, message: lines.at(-1) ?? '', failedAt: undefined };
}

/** glibc 2.36 strerror() text (Debian 12, the guest's busybox-static) → errno name. */
export function errnoFromStrerror(message: string): string | undefined {
  if (message === 'no such file' || message === 'nonexistent directory') return 'ENOENT';
  const unknown = /^Unknown error (\d+)$/.exec(message);
  if (unknown) return KERNEL_INTERNAL_ERRNOS[Number(unknown[1])];
  return ERRNO_BY_MESSAGE.get(message);
}

/** The canonical name for an errno a scenario writes (aliases resolved), or undefined when it is not one. */
export function canonicalErrno(name: string): string | undefined {
  const upper = name.trim().toUpperCase();
  const resolved = ERRNO_ALIASES[upper] ?? upper;
  return Object.hasOwn(STRERROR, resolved) || Object.values(KERNEL_INTERNAL_ERRNOS).includes(resolved) ? resolved : undefined;
}

export function strerrorOf(errno: string): string | undefined {
  return STRERROR[errno];
}

/** An errno name a scenario expects (expect-errno), checked against the names pilot recognises; parses to the canonical name. */
export const errnoName = z
  .string()
  .superRefine((value, context) => {
    if (canonicalErrno(value) === undefined) context.addIssue({ code: 'custom', message: `expected an errno name like EINVAL, EBUSY or ETIMEDOUT, got ${describeValue(value)}` });
  })
  .transform((value) => canonicalErrno(value)!)
  .meta({ description: 'An errno name, e.g. EINVAL, EBUSY, ETIMEDOUT, ETIME, ENOENT (EWOULDBLOCK, EDEADLOCK and ENOTSUP are taken as their aliases).' });

export const ERRNO_ALIASES: Readonly<Record<string, string>> = { EWOULDBLOCK: 'EAGAIN', EDEADLOCK: 'EDEADLK', ENOTSUP: 'EOPNOTSUPP' };

/** include/linux/errno.h: values user space never should see, which glibc prints as "Unknown error N". */
const KERNEL_INTERNAL_ERRNOS: Readonly<Record<number, string>> = {
  512: 'ERESTARTSYS', 513: 'ERESTARTNOINTR', 514: 'ERESTARTNOHAND', 515: 'ENOIOCTLCMD', 516: 'ERESTART_RESTARTBLOCK',
  517: 'EPROBE_DEFER', 518: 'EOPENSTALE', 519: 'ENOPARAM', 521: 'EBADHANDLE', 522: 'ENOTSYNC', 523: 'EBADCOOKIE',
  524: 'ENOTSUPP', 525: 'ETOOSMALL', 526: 'ESERVERFAULT', 527: 'EBADTYPE', 528: 'EJUKEBOX', 529: 'EIOCBQUEUED',
  530: 'ERECALLCONFLICT', 531: 'ENOGRACE',
};

/** glibc 2.36 strerror() for Linux errnos 1..133 (printed with Python's os.strerror on Debian 12). */
const STRERROR: Readonly<Record<string, string>> = {
  EPERM: 'Operation not permitted', ENOENT: 'No such file or directory', ESRCH: 'No such process',
  EINTR: 'Interrupted system call', EIO: 'Input/output error', ENXIO: 'No such device or address',
  E2BIG: 'Argument list too long', ENOEXEC: 'Exec format error', EBADF: 'Bad file descriptor', ECHILD: 'No child processes',
  EAGAIN: 'Resource temporarily unavailable', ENOMEM: 'Cannot allocate memory', EACCES: 'Permission denied',
  EFAULT: 'Bad address', ENOTBLK: 'Block device required', EBUSY: 'Device or resource busy', EEXIST: 'File exists',
  EXDEV: 'Invalid cross-device link', ENODEV: 'No such device', ENOTDIR: 'Not a directory', EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument', ENFILE: 'Too many open files in system', EMFILE: 'Too many open files',
  ENOTTY: 'Inappropriate ioctl for device', ETXTBSY: 'Text file busy', EFBIG: 'File too large',
  ENOSPC: 'No space left on device', ESPIPE: 'Illegal seek', EROFS: 'Read-only file system', EMLINK: 'Too many links',
  EPIPE: 'Broken pipe', EDOM: 'Numerical argument out of domain', ERANGE: 'Numerical result out of range',
  EDEADLK: 'Resource deadlock avoided', ENAMETOOLONG: 'File name too long', ENOLCK: 'No locks available',
  ENOSYS: 'Function not implemented', ENOTEMPTY: 'Directory not empty', ELOOP: 'Too many levels of symbolic links',
  ENOMSG: 'No message of desired type', EIDRM: 'Identifier removed', ECHRNG: 'Channel number out of range',
  EL2NSYNC: 'Level 2 not synchronized', EL3HLT: 'Level 3 halted', EL3RST: 'Level 3 reset', ELNRNG: 'Link number out of range',
  EUNATCH: 'Protocol driver not attached', ENOCSI: 'No CSI structure available', EL2HLT: 'Level 2 halted',
  EBADE: 'Invalid exchange', EBADR: 'Invalid request descriptor', EXFULL: 'Exchange full', ENOANO: 'No anode',
  EBADRQC: 'Invalid request code', EBADSLT: 'Invalid slot', EBFONT: 'Bad font file format', ENOSTR: 'Device not a stream',
  ENODATA: 'No data available', ETIME: 'Timer expired', ENOSR: 'Out of streams resources',
  ENONET: 'Machine is not on the network', ENOPKG: 'Package not installed', EREMOTE: 'Object is remote',
  ENOLINK: 'Link has been severed', EADV: 'Advertise error', ESRMNT: 'Srmount error', ECOMM: 'Communication error on send',
  EPROTO: 'Protocol error', EMULTIHOP: 'Multihop attempted', EDOTDOT: 'RFS specific error', EBADMSG: 'Bad message',
  EOVERFLOW: 'Value too large for defined data type', ENOTUNIQ: 'Name not unique on network',
  EBADFD: 'File descriptor in bad state', EREMCHG: 'Remote address changed', ELIBACC: 'Can not access a needed shared library',
  ELIBBAD: 'Accessing a corrupted shared library', ELIBSCN: '.lib section in a.out corrupted',
  ELIBMAX: 'Attempting to link in too many shared libraries', ELIBEXEC: 'Cannot exec a shared library directly',
  EILSEQ: 'Invalid or incomplete multibyte or wide character', ERESTART: 'Interrupted system call should be restarted',
  ESTRPIPE: 'Streams pipe error', EUSERS: 'Too many users', ENOTSOCK: 'Socket operation on non-socket',
  EDESTADDRREQ: 'Destination address required', EMSGSIZE: 'Message too long', EPROTOTYPE: 'Protocol wrong type for socket',
  ENOPROTOOPT: 'Protocol not available', EPROTONOSUPPORT: 'Protocol not supported', ESOCKTNOSUPPORT: 'Socket type not supported',
  EOPNOTSUPP: 'Operation not supported', EPFNOSUPPORT: 'Protocol family not supported',
  EAFNOSUPPORT: 'Address family not supported by protocol', EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address', ENETDOWN: 'Network is down', ENETUNREACH: 'Network is unreachable',
  ENETRESET: 'Network dropped connection on reset', ECONNABORTED: 'Software caused connection abort',
  ECONNRESET: 'Connection reset by peer', ENOBUFS: 'No buffer space available',
  EISCONN: 'Transport endpoint is already connected', ENOTCONN: 'Transport endpoint is not connected',
  ESHUTDOWN: 'Cannot send after transport endpoint shutdown', ETOOMANYREFS: 'Too many references: cannot splice',
  ETIMEDOUT: 'Connection timed out', ECONNREFUSED: 'Connection refused', EHOSTDOWN: 'Host is down',
  EHOSTUNREACH: 'No route to host', EALREADY: 'Operation already in progress', EINPROGRESS: 'Operation now in progress',
  ESTALE: 'Stale file handle', EUCLEAN: 'Structure needs cleaning', ENOTNAM: 'Not a XENIX named type file',
  ENAVAIL: 'No XENIX semaphores available', EISNAM: 'Is a named type file', EREMOTEIO: 'Remote I/O error',
  EDQUOT: 'Disk quota exceeded', ENOMEDIUM: 'No medium found', EMEDIUMTYPE: 'Wrong medium type', ECANCELED: 'Operation canceled',
  ENOKEY: 'Required key not available', EKEYEXPIRED: 'Key has expired', EKEYREVOKED: 'Key has been revoked',
  EKEYREJECTED: 'Key was rejected by service', EOWNERDEAD: 'Owner died', ENOTRECOVERABLE: 'State not recoverable',
  ERFKILL: 'Operation not possible due to RF-kill', EHWPOISON: 'Memory page has hardware error',
};

const ERRNO_BY_MESSAGE: ReadonlyMap<string, string> = new Map(Object.entries(STRERROR).map(([name, message]) => [message, name]));

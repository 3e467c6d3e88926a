// Shell helpers every exported test definition defines once, in busybox sh (the guest /init's shell).
/** Single-quotes a word for sh. */
export function sq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export const WORK_DIR = '/tmp/pilot-lava';
export const WINDOW_FILE = `${WORK_DIR}/window`;
export const STOP_FILE = `${WORK_DIR}/stop`;

/** Marks where a step's kernel-log window begins, as pilot's own /dev/kmsg markers do. */
export function stepMarker(stepNumber: string): string {
  return `pilot-lava: step ${stepNumber} begins`;
}

/** Each is one line: LAVA writes every run step as a line of one script, under `set -e`. */
export const SHELL_HELPERS: readonly string[] = [
  `rm -rf ${WORK_DIR}; mkdir -p ${WORK_DIR}`,
  // Kernel log since a step's marker (or since boot), without the [ timestamp ] prefix pilot's matching never sees.
  `pilot_window() { if [ "$1" = boot ]; then dmesg; else dmesg | sed -n "/${stepMarker('$1')}\\$/,\\$p"; fi | sed -e 's/^\\[[^]]*\\] //'; }`,
  `pilot_mark() { echo "${stepMarker('$1')}" > /dev/kmsg; }`,
  // Patterns in order, each on a later line than the one before.
  'pilot_in_order() { f=$1; shift; p=0; for r in "$@"; do l=$(tail -n +$((p+1)) "$f" | grep -nE -m1 -e "$r" | cut -d: -f1); [ -n "$l" ] || return 1; p=$((p+l)); done; }',
  // Remote processors and video nodes are found by name, never by index, as pilot does.
  'pilot_rproc() { for d in /sys/class/remoteproc/*; do [ "$(cat "$d/name" 2>/dev/null)" = "$1" ] && { echo "$d"; return 0; }; done; echo "no remoteproc named $1" >&2; return 1; }',
  'pilot_video() { for d in /sys/class/video4linux/*; do [ "$(cat "$d/name" 2>/dev/null)" = "$1" ] && { echo "/dev/${d##*/}"; return 0; }; done; echo "no video node named $1" >&2; return 1; }',
  // echo's write as pilot does it; with an expected strerror text, the write must fail with exactly that.
  'pilot_write() { out=$( { echo "$1" > "$2"; } 2>&1 ); r=$?; echo "write $1 > $2: status $r $out"; if [ -z "$3" ]; then [ $r -eq 0 ]; else [ $r -ne 0 ] && case "$out" in *"write error: $3") true;; *) false;; esac; fi; }',
  // Polls a check once a second, up to $1 tries.
  'pilot_retry() { n=$1; shift; while :; do eval "$1" && return 0; n=$((n-1)); [ $n -gt 0 ] || return 1; sleep 1; done; }',
];

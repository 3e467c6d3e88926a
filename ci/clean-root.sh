#!/bin/bash
# Runs a command in a Debian 12 root that has never seen pilot: the repository's tracked files, ci/setup-host.sh, then the command.
# A package that the suite uses but setup-host.sh never installs fails here, as it would on a fresh machine.
# Usage: ci/clean-root.sh [--setup run|test] [--keep] -- COMMAND [ARG...]
#   The command runs inside the root, in the copy of the repository at /pilot, as root, with CI=true.
#   The root is a fresh copy of a cached debootstrap (minbase) tarball; the base tarball is the only thing cached.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${PILOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pilot}
suite=bookworm
setup_scope=test
keep=false

say() { printf 'clean-root: %s\n' "$*" >&2; }
die() { printf 'clean-root: error: %s\n' "$*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --setup) setup_scope=${2:?--setup needs run or test}; shift 2 ;;
    --keep) keep=true; shift ;;
    --) shift; break ;;
    *) die "unknown argument $1 (usage: ci/clean-root.sh [--setup run|test] [--keep] -- COMMAND...)" ;;
  esac
done
[ $# -gt 0 ] || die "no command given (usage: ci/clean-root.sh [--setup run|test] [--keep] -- COMMAND...)"
[ "$(id -u)" -eq 0 ] || die "needs root: it makes a chroot and bind mounts"
for tool in debootstrap unshare chroot tar zstd git; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found; ci/setup-host.sh installs it (harness/host/requirements.txt)"
done
node_bin=$(command -v node) || die "node not found"
npm_root=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)

# The mirror the host's apt uses, so the root reaches the same (and only the) Debian archive.
mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
[ -n "$mirror" ] || mirror=$(awk '$1=="deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"

base="$cache/clean-root/$suite-minbase.tar.zst"
if [ ! -s "$base" ]; then
  mkdir -p "$(dirname "$base")"
  staging=$(mktemp -d "$cache/clean-root/.debootstrap.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  say "debootstrap --variant=minbase $suite from $mirror (once; cached as $base)"
  debootstrap --variant=minbase "$suite" "$staging/root" "$mirror" >"$staging/debootstrap.log" 2>&1 \
    || { tail -n 20 "$staging/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  tar -C "$staging/root" --zstd -cf "$base.partial" . && mv "$base.partial" "$base"
  rm -rf "$staging"
  trap - EXIT
fi

work=$(mktemp -d /var/tmp/pilot-clean-root.XXXXXX)
root="$work/root"
cleanup() {
  if $keep; then say "kept $root"; else rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT
mkdir -p "$root"
tar -C "$root" --zstd -xf "$base"

# What a fresh machine of this workplace has besides Debian: its network trust, its apt sources, Node 20 and npm's config.
rm -f "$root/etc/apt/sources.list"
cp -a /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || cp /etc/apt/sources.list "$root/etc/apt/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
if compgen -G '/usr/local/share/ca-certificates/*' >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
mkdir -p "$root/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || true
for rc in /usr/etc/npmrc "$HOME/.npmrc"; do
  [ -f "$rc" ] || continue
  mkdir -p "$root$(dirname "${rc/#$HOME//root}")"
  cp "$rc" "$root${rc/#$HOME//root}"
done

# The repository as a fresh clone has it: tracked files plus what this change adds, nothing installed.
mkdir -p "$root/pilot"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar --ignore-failed-read -cf -) | tar -C "$root/pilot" -xf -

# A private mount namespace: every bind mount below vanishes with the shell, however it ends.
export root node_bin npm_root setup_scope
unshare --mount --propagation private bash -s -- "$@" <<'INNER'
set -euo pipefail
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
mkdir -p "$root/usr/lib/node_modules/npm" "$root/usr/bin"
touch "$root/usr/bin/node"
mount --bind "$node_bin" "$root/usr/bin/node"
mount --bind "$npm_root" "$root/usr/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
quoted=$(printf '%q ' "$@")
exec chroot "$root" /usr/bin/env -u PILOT_CACHE HOME=/root CI=true \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  bash -c "cd /pilot && bash ci/setup-host.sh $setup_scope && $quoted"
INNER

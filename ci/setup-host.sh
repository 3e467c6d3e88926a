#!/bin/bash
# Brings a Debian 12 host to what pilot needs: host packages, arm64 apt lists, Node >= 20.5, node_modules.
# Idempotent and fast when nothing is missing; never prompts (CI=true, no stdin).
# The package list lives in harness/host/requirements.txt, shared with `pilot doctor`.
# Usage: ci/setup-host.sh [run|test] [--print-packages]
#   run:  what `npm start` and pilot need ([run] packages); test (the default): the test suite's too ([test] packages).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
requirements="$repo/harness/host/requirements.txt"
min_node_major=20
min_node_minor=5

say() { printf 'setup-host: %s\n' "$*"; }
die() { printf 'setup-host: error: %s\n' "$*" >&2; exit 1; }

scope=test
print=false
for arg in "$@"; do
  case "$arg" in
    run|test) scope=$arg ;;
    --print-packages) print=true ;;
    *) die "unknown argument '$arg' (usage: ci/setup-host.sh [run|test] [--print-packages])" ;;
  esac
done

# Prints the packages of the wanted scope: [run] sections always, [test] sections only for the test scope.
read_packages() {
  local line pkg section=run
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%#*}
    case "${line//[[:space:]]/}" in
      '[run]') section=run; continue ;;
      '[test]') section=test; continue ;;
    esac
    pkg=${line%%|*}
    pkg=${pkg//[[:space:]]/}
    [ -n "$pkg" ] || continue
    if [ "$section" = run ] || [ "$scope" = test ]; then printf '%s\n' "$pkg"; fi
  done < "$requirements"
}

[ -r "$requirements" ] || die "cannot read $requirements"
mapfile -t packages < <(read_packages)
[ "${#packages[@]}" -gt 0 ] || die "no packages listed in $requirements"

if $print; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

# Node first: nothing else of pilot runs without it, and Debian 12's own nodejs (18) is too old.
if ! command -v node >/dev/null 2>&1; then
  die "node not found; pilot needs Node >= $min_node_major.$min_node_minor (Debian 12's nodejs package is 18: install Node 20 from nodejs.org or nodesource)"
fi
node_version=$(node --version)
IFS=. read -r node_major node_minor _ <<<"${node_version#v}"
if [ "$node_major" -lt "$min_node_major" ] || { [ "$node_major" -eq "$min_node_major" ] && [ "$node_minor" -lt "$min_node_minor" ]; }; then
  die "node $node_version is too old; pilot needs Node >= $min_node_major.$min_node_minor"
fi

# One dpkg-query for all packages keeps the all-present case well under a second.
missing=()
installed=$(dpkg-query -W -f='${Package}\t${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)
for pkg in "${packages[@]}"; do
  grep -qxF "$pkg	installed" <<<"$installed" || missing+=("$pkg")
done

need_arch=false
dpkg --print-foreign-architectures | grep -qx arm64 || need_arch=true
# Adding the architecture is not enough: apt-cache and apt-get download need the arm64 package lists too.
need_lists=false
compgen -G '/var/lib/apt/lists/*_binary-arm64_Packages*' >/dev/null || need_lists=true

if [ "${#missing[@]}" -gt 0 ] || $need_arch || $need_lists; then
  if [ "$(id -u)" -ne 0 ]; then
    cmd=""
    $need_arch && cmd+="sudo dpkg --add-architecture arm64 && "
    cmd+="sudo apt-get update"
    [ "${#missing[@]}" -gt 0 ] && cmd+=" && sudo apt-get install -y ${missing[*]}"
    what=("${missing[@]}")
    $need_arch && what+=("the arm64 dpkg architecture")
    $need_lists && what+=("the arm64 apt package lists")
    die "missing: ${what[*]}; as root run: $cmd"
  fi
  export DEBIAN_FRONTEND=noninteractive
  if $need_arch; then
    say "adding the arm64 architecture"
    dpkg --add-architecture arm64
  fi
  say "apt-get update"
  apt-get update -q </dev/null || die "apt-get update failed"
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]}"
    apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
      "${missing[@]}" </dev/null || die "apt-get install ${missing[*]} failed"
  fi
fi

# npm's own hidden lockfile is rewritten by every install, so it doubles as the stamp; a second file says which scope
# was installed: `run` omits the devDependencies (the test tools: vitest, playwright-core, ajv…), `test` has them all.
stamp="$repo/node_modules/.package-lock.json"
scope_stamp="$repo/node_modules/.pilot-npm-scope"
installed_scope=$(cat "$scope_stamp" 2>/dev/null || echo none)
need_npm=false
reason=""
if [ ! -f "$stamp" ] || [ "$repo/package-lock.json" -nt "$stamp" ]; then
  need_npm=true; reason="node_modules missing or older than package-lock.json"
elif [ "$scope" = test ] && [ "$installed_scope" = run ]; then
  need_npm=true; reason="the test tools (devDependencies) are not installed"
fi
if $need_npm; then
  omit=()
  [ "$scope" = run ] && omit=(--omit=dev)
  say "npm ci ${omit[*]} ($reason)"
  (cd "$repo" && npm ci --no-audit --no-fund "${omit[@]}" </dev/null) || die "npm ci failed"
  touch "$stamp"
  printf '%s\n' "$scope" >"$scope_stamp"
fi

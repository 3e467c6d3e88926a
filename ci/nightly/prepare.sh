#!/bin/bash
# Brings a bare debian:12 CI container to where ci/setup-host.sh can take over: Node 20 from NodeSource, then the host set-up.
# Debian 12's own nodejs is 18, too old for pilot; everything else comes from Debian through ci/setup-host.sh.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export DEBIAN_FRONTEND=noninteractive

node_major=$( (node --version 2>/dev/null || echo v0) | sed -E 's/^v([0-9]+).*/\1/')

if [ "$node_major" -lt 20 ]; then
  echo "prepare: installing Node 20 from NodeSource"
  apt-get update -q </dev/null
  apt-get install -y -q --no-install-recommends ca-certificates curl gnupg </dev/null
  install -d -m 0755 /etc/apt/keyrings
  curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor --yes -o /etc/apt/keyrings/nodesource.gpg
  echo "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_20.x nodistro main" >/etc/apt/sources.list.d/nodesource.list
  apt-get update -q </dev/null
  apt-get install -y -q nodejs </dev/null
fi

bash "$repo/ci/setup-host.sh"

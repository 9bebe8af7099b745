#!/usr/bin/env bash
# One command from a fresh machine to a running container:
#   installs system packages, builds Berth (npm ci builds native/ and the
#   TypeScript), starts berthd, seeds a busybox image from the distribution's
#   busybox-static through `berth load`, and runs `berth run --rm busybox echo hello`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (berthd creates namespaces, mounts and cgroups)" >&2
  exit 1
fi
scripts/install-system-deps.sh
npm ci --no-audit --no-fund
BERTH="$PWD/dist/cli/berth.cjs"
SOCK=/run/berth/berth.sock

if ! $BERTH version >/dev/null 2>&1; then
  mkdir -p /var/log
  nohup node dist/src/daemon/main.js >/var/log/berthd.log 2>&1 &
  for _ in $(seq 1 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
  $BERTH version >/dev/null || { echo "setup.sh: berthd did not start; see /var/log/berthd.log" >&2; exit 1; }
fi

if ! $BERTH images | grep -q '^busybox '; then
  seed=$(mktemp -d)
  node scripts/busybox-oci.mjs --out "$seed/busybox.tar" --tag latest
  $BERTH load -i "$seed/busybox.tar"
  rm -rf "$seed"
fi

$BERTH run --rm busybox echo hello

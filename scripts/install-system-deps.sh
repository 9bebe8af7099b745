#!/usr/bin/env bash
# Installs the Debian packages Berth and its tests need (run as root).
#   busybox-static   the seed image's content, and test rootfs
#   docker-registry  the local OCI registry the tests pull from
#   skopeo, umoci    push fixture images to that registry
#   iproute2         network namespace checks in tests
set -euo pipefail
packages=(busybox-static docker-registry skopeo umoci iproute2 ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

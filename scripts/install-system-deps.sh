#!/usr/bin/env bash
# Installs the Debian packages Berth and its tests need (run as root).
#   busybox-static   the seed image's content, and test rootfs
#   docker-registry  the local OCI registry the tests pull from
#   skopeo, umoci    push fixture images to that registry
#   iproute2         network namespace checks in tests
#   apache2-utils    htpasswd -B for the auth-registry test fixture
#   zstd             fast zstd layer decompression (fzstd is the fallback)
#   runc, crun       reference runtimes for the runtime compat tests and bench
#   podman, hyperfine  podman-over-berth-runtime test; bench/runtime.sh
#   docker.io        the docker CLI for the Engine API tests, dockerd for --add-runtime
#   docker-compose   Compose 1.29 (python) for the Engine API compose test
#   chromium         headless browser for the state visualizer tests (test/ui)
#   containernetworking-plugins, iptables  CNI networks (bridge, host-local, portmap)
#   build-essential, python3  node-gyp builds of native npm modules (zstd-napi, lmdb) and native/
#   musl-tools       musl-gcc: the shim and the runtime are linked statically against musl (shim 0.25 MB resident, not 0.9; no dynamic loader per runtime exec)
set -euo pipefail
packages=(build-essential python3 musl-tools busybox-static docker-registry skopeo umoci iproute2 ca-certificates apache2-utils zstd runc crun podman hyperfine containernetworking-plugins iptables docker.io docker-compose chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

#!/usr/bin/env bash
# The bare OCI runtimes on one busybox bundle: `run` of `true` for
# berth-runtime, runc and crun (crun 1.8 refuses hybrid cgroups, so it runs in
# a mount namespace without /sys/fs/cgroup/unified; that wrapper alone is
# measured too), then 50 sequential create/start/delete cycles for each.
# Prints hyperfine's tables, then medians and ratios to berth-runtime.
# Usage: bench/runtime.sh [RUNS] [CYCLE_RUNS]   (root, hyperfine, runc, crun)
set -euo pipefail
RUNS=${1:-30}
CYCLE_RUNS=${2:-5}
REPO=$(cd "$(dirname "$0")/.." && pwd)
RT="$REPO/native/build/berth-runtime"
D=$(mktemp -d /tmp/berth-rtbench-XXXXXX)
trap 'rm -rf "$D"' EXIT
for t in hyperfine runc crun unshare; do command -v "$t" >/dev/null || { echo "bench: $t is missing (scripts/install-system-deps.sh)" >&2; exit 1; }; done
[ -x "$RT" ] || { echo "bench: build berth-runtime first (make -C native)" >&2; exit 1; }

# The bundle: the busybox image's layer as rootfs, `berth-runtime spec` running `true`.
node "$REPO/scripts/busybox-oci.mjs" --dir "$D/layout" >/dev/null
mkdir -p "$D/bundle/rootfs"
layer=$(node -e '
const fs = require("fs"), d = process.argv[1];
const idx = JSON.parse(fs.readFileSync(d + "/index.json"));
const man = JSON.parse(fs.readFileSync(d + "/blobs/" + idx.manifests[0].digest.replace(":", "/")));
console.log(d + "/blobs/" + man.layers[0].digest.replace(":", "/"));' "$D/layout")
tar -xzf "$layer" -C "$D/bundle/rootfs"
(cd "$D/bundle" && "$RT" spec && sed -i 's/"sh"/"true"/' config.json)
B="$D/bundle"
CRUN_WRAP="unshare -m sh -c"
UMOUNT="umount /sys/fs/cgroup/unified"

cycles() { # RUNTIME-COMMAND PREFIX
  echo "for i in \$(seq 50); do $1 create --bundle $B c\$i >/dev/null && $1 start c\$i && $1 delete --force c\$i || exit 1; done"
}

hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$D/run.json" \
  -n "berth-runtime run" "$RT --root $D/r-berth run --bundle $B bench" \
  -n "runc run" "runc --root $D/r-runc run --bundle $B bench" \
  -n "crun run (in unshare wrapper)" "$CRUN_WRAP '$UMOUNT && exec crun --root $D/r-crun run --bundle $B bench'" \
  -n "unshare wrapper alone" "$CRUN_WRAP '$UMOUNT && exec true'"

hyperfine -N --warmup 1 --runs "$CYCLE_RUNS" --export-json "$D/cycles.json" \
  -n "berth-runtime 50x create/start/delete" "sh -c '$(cycles "$RT --root $D/c-berth")'" \
  -n "runc 50x create/start/delete" "sh -c '$(cycles "runc --root $D/c-runc")'" \
  -n "crun 50x create/start/delete" "$CRUN_WRAP '$UMOUNT && $(cycles "crun --root $D/c-crun")'"

node -e '
for (const f of process.argv.slice(1)) {
  const r = require(f).results;
  const base = r[0].median;
  for (const x of r) console.log(`${x.command.padEnd(42)} median ${(x.median * 1000).toFixed(1).padStart(8)} ms   ${(x.median / base).toFixed(2)}x berth-runtime`);
}' "$D/run.json" "$D/cycles.json"

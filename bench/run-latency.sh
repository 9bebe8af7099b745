#!/usr/bin/env bash
# `run --rm busybox true`, end to end, for Berth, podman (runc), and dockerd
# if it starts here, in one hyperfine run; plus the parts of Berth's time:
# CLI start-up with one round trip (`berth version`) and the bare runtime.
# Usage: bench/run-latency.sh [RUNS]   (needs root, npm run build, hyperfine)
set -euo pipefail
RUNS=${1:-20}
source "$(dirname "$0")/lib.sh"
need hyperfine "apt-get install hyperfine"

start_berthd
cmds=(-n berth "$BERTH run --rm busybox true" -n "berth version (CLI + 1 round trip)" "$BERTH version")

# bare runtime on a bundle made from the same image content
bundle="$BENCH_DIR/bundle"
mkdir -p "$bundle/rootfs"
tar -xf "$(busybox_archive)" -C "$BENCH_DIR" index.json >/dev/null 2>&1 || true
cp -a "$BENCH_DIR"/berth/root/layers/*/. "$bundle/rootfs/"
(cd "$bundle" && "$REPO/native/build/berth-runtime" spec && sed -i 's/"sh"/"true"/; s/"terminal": true/"terminal": false/' config.json)
cmds+=(-n "berth-runtime run (bare)" "$REPO/native/build/berth-runtime --root $BENCH_DIR/rt run --bundle $bundle bench-\$RANDOM")

if start_podman; then cmds+=(-n "podman (runc)" "$PODMAN run --rm --network none localhost/busybox true"); else echo "bench: podman not installed; skipped" >&2; fi
if start_dockerd; then cmds+=(-n docker "$DOCKER run --rm --network none busybox true"); else echo "bench: dockerd unavailable; skipped" >&2; fi

hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$BENCH_DIR/run-latency.json" "${cmds[@]}"
node -e '
const r = require(process.argv[1]).results;
const m = Object.fromEntries(r.map((x) => [x.command, x.median * 1000]));
const berth = m.berth;
console.log("\nmedians (ms):");
for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(40)} ${v.toFixed(1)}`);
if (m.docker) console.log(`berth / docker = ${(berth / m.docker).toFixed(2)}x (target <= 0.40x)`);
if (m["podman (runc)"]) console.log(`berth / podman = ${(berth / m["podman (runc)"]).toFixed(2)}x`);
const share = berth - m["berth version (CLI + 1 round trip)"] - m["berth-runtime run (bare)"];
console.log(`daemon + shim share ~ ${share.toFixed(1)} ms (berth run - CLI round trip - bare runtime; target daemon share < 15 ms)`);
' "$BENCH_DIR/run-latency.json"

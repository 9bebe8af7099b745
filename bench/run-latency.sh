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
cmds=(-n berth "$BERTH run --rm --network none busybox true" -n "berth version (CLI + 1 round trip)" "$BERTH version")

# bare runtime on a bundle made from the same image content
bundle="$BENCH_DIR/bundle"
mkdir -p "$bundle/rootfs"
mkdir -p "$BENCH_DIR/layout"
tar -xf "$(busybox_archive)" -C "$BENCH_DIR/layout"
tar -xzf "$BENCH_DIR/layout/blobs/sha256/$(ls -S "$BENCH_DIR/layout/blobs/sha256" | head -1)" -C "$bundle/rootfs"
(cd "$bundle" && "$REPO/native/build/berth-runtime" spec && sed -i 's/"sh"/"true"/; s/"terminal": true/"terminal": false/' config.json)
cmds+=(-n "berth-runtime run (bare)" "$REPO/native/build/berth-runtime --root $BENCH_DIR/rt run --bundle $bundle bench-bare")

if start_podman >/dev/null 2>&1; then cmds+=(-n "podman (runc)" "$PODMAN run --rm --network none localhost/busybox true"); else echo "bench: podman not installed; skipped" >&2; fi
if start_dockerd >/dev/null 2>&1; then cmds+=(-n docker "$DOCKER run --rm --network none busybox true"); else echo "bench: dockerd unavailable; skipped" >&2; fi

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
console.log(`berth run - CLI round trip - bare runtime = ${share.toFixed(1)} ms (daemon + shim + journal)`);
const shares = require("fs").readFileSync(process.argv[2], "utf8").split("\n")
  .map((l) => /^trace run waited; daemon share ([\d.]+)ms/.exec(l)).filter(Boolean).map((m) => Number(m[1])).sort((a, b) => a - b);
if (shares.length) console.log(`daemon share (request in -> container exited and removed -> reply, minus time in shim/runtime/container), median of ${shares.length}: ${shares[shares.length >> 1].toFixed(1)} ms (target < 15 ms)`);
' "$BENCH_DIR/run-latency.json" "$BENCH_DIR/berth/berthd.log"

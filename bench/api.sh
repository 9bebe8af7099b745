#!/usr/bin/env bash
# The Docker Engine API: `docker run --rm busybox true` with the same docker
# CLI pointed at Berth's docker socket and at a private dockerd (if it starts
# here), in one hyperfine run; Berth's own CLI alongside for reference.
# Both runs use --network none (the private dockerd has --bridge=none).
# Usage: bench/api.sh [RUNS]   (needs root, npm run build, hyperfine, docker CLI)
set -euo pipefail
RUNS=${1:-20}
source "$(dirname "$0")/lib.sh"
need hyperfine "apt-get install hyperfine"
need docker "apt-get install docker.io"

start_berthd
mkdir -p "$BENCH_DIR/docker-config"
export DOCKER_CONFIG="$BENCH_DIR/docker-config"
BERTH_DOCKER="docker -H unix://$BENCH_DIR/berth/run/docker.sock"
$BERTH_DOCKER run --rm --network none busybox true # the socket answers and the image is there
cmds=(-n "docker CLI -> berthd" "$BERTH_DOCKER run --rm --network none busybox true" -n "berth CLI -> berthd" "$BERTH run --rm busybox true")
if start_dockerd >/dev/null 2>&1; then
  cmds+=(-n "docker CLI -> dockerd" "$DOCKER run --rm --network none busybox true")
else
  echo "bench: dockerd unavailable; skipped" >&2
fi

hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$BENCH_DIR/api.json" "${cmds[@]}"
node -e '
const r = require(process.argv[1]).results;
const m = Object.fromEntries(r.map((x) => [x.command, x.median * 1000]));
console.log("\nmedians (ms):");
for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(28)} ${v.toFixed(1)}`);
const viaApi = m["docker CLI -> berthd"], dockerd = m["docker CLI -> dockerd"];
if (dockerd) console.log(`docker CLI: berthd / dockerd = ${(viaApi / dockerd).toFixed(2)}x`);
' "$BENCH_DIR/api.json"

#!/usr/bin/env bash
# Networking figures for Berth: `run --rm` of a container on a bridge network
# with a published port (CNI ADD + DEL included), against --network none, in
# one hyperfine run; and throughput of a 256 MiB download through a port
# published on 127.0.0.1 (busybox httpd in the container, curl on the host).
# podman is not compared: its default CNI network switches on the host's
# ip_forward and adds MASQUERADE, which this machine's network rule forbids.
# Usage: bench/network.sh [RUNS]   (needs root, npm run build, hyperfine, curl)
set -euo pipefail
RUNS=${1:-10}
source "$(dirname "$0")/lib.sh"
need hyperfine "apt-get install hyperfine"
need curl "apt-get install curl"

start_berthd
subnet="10.253.$((RANDOM % 250 + 1)).0/24"
$BERTH network create --subnet "$subnet" benchnet >/dev/null
cleanup_net() { $BERTH rm -f benchweb >/dev/null 2>&1 || true; $BERTH network rm benchnet >/dev/null 2>&1 || true; cleanup; }
trap cleanup_net EXIT

hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$BENCH_DIR/network.json" \
  -n "run --rm, --network none" "$BERTH run --rm --network none busybox true" \
  -n "run --rm, bridge network + -p" "$BERTH run --rm --network benchnet -p 127.0.0.1::8080 busybox true"

mkdir -p "$BENCH_DIR/www"
head -c $((256 * 1024 * 1024)) /dev/zero >"$BENCH_DIR/www/blob"
$BERTH run -d --name benchweb --network benchnet -p 127.0.0.1::80 -v "$BENCH_DIR/www:/www:ro" busybox httpd -f -p 80 -h /www >/dev/null
port=$($BERTH port benchweb 80 | cut -d: -f2)
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
echo "throughput through 127.0.0.1:$port (256 MiB, 3 downloads):"
for _ in 1 2 3; do
  curl -s -o /dev/null -w '  %{speed_download}\n' "http://127.0.0.1:$port/blob" | awk '{printf "  %.0f MiB/s\n", $1 / 1048576}'
done
node -e '
const r = require(process.argv[1]).results;
for (const x of r) console.log(`${x.command.padEnd(34)} median ${(x.median * 1000).toFixed(1)} ms`);
console.log(`bridge + port costs ${((r[1].median - r[0].median) * 1000).toFixed(1)} ms over none`);
' "$BENCH_DIR/network.json"

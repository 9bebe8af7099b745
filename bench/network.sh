#!/usr/bin/env bash
# Networking figures for Berth and podman, in one run:
#  - `run --rm` of a container on a bridge network with a published port (CNI
#    ADD + DEL included), against --network none, in one hyperfine run;
#  - `run --rm` on Berth's default bridge (no --network at all);
#  - throughput of a 256 MiB download through a port published on 127.0.0.1
#    (busybox httpd in the container, curl on the host).
# podman runs with the CNI backend and its own --network-config-dir holding a
# hand-written conflist like Berth's: bridge (isGateway off, ipMasq off) +
# host-local + portmap, the bridge device made beforehand with its gateway
# address. Its default network (netavark or 87-podman-bridge) is never used:
# it would switch on the host's ip_forward and add MASQUERADE.
# Usage: bench/network.sh [RUNS]   (needs root, npm run build, hyperfine, curl; podman optional)
set -euo pipefail
RUNS=${1:-10}
source "$(dirname "$0")/lib.sh"
need hyperfine "apt-get install hyperfine"
need curl "apt-get install curl"

start_berthd
o=$((RANDOM % 250 + 1))
berth_subnet="10.253.$o.0/24"
podman_subnet="10.254.$o.0/24"
podman_bridge="berthbench$o"
$BERTH network create --subnet "$berth_subnet" benchnet >/dev/null
default_dev=$($BERTH network inspect bridge | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8"))[0].Options["com.docker.network.bridge.name"])')
forward_before=$(cat /proc/sys/net/ipv4/ip_forward)

PODMAN_NET=""
start_podman_cni() {
  start_podman >/dev/null 2>&1 || return 1
  local d="$BENCH_DIR/podman"
  cat >>"$d/containers.conf" <<CONF
[network]
network_backend = "cni"
cni_plugin_dirs = ["/usr/lib/cni"]
CONF
  mkdir -p "$d/net.d"
  cat >"$d/net.d/benchnet.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "benchnet",
  "plugins": [
    { "type": "bridge", "bridge": "$podman_bridge", "isGateway": false, "ipMasq": false, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$podman_subnet", "gateway": "10.254.$o.1" }]],
                "routes": [{ "dst": "0.0.0.0/0", "gw": "10.254.$o.1" }], "dataDir": "$d/ipam" } },
    { "type": "portmap", "capabilities": { "portMappings": true }, "snat": true }
  ]
}
JSON
  ip link add name "$podman_bridge" type bridge
  ip addr add "10.254.$o.1/24" dev "$podman_bridge"
  ip link set "$podman_bridge" up
  PODMAN_NET="$PODMAN --network-config-dir $d/net.d"
}

cleanup_net() {
  $BERTH rm -f benchweb benchdefault >/dev/null 2>&1 || true
  $BERTH network rm benchnet >/dev/null 2>&1 || true
  [ -n "$PODMAN_NET" ] && $PODMAN_NET rm -f benchweb >/dev/null 2>&1 || true
  ip link del "$podman_bridge" >/dev/null 2>&1 || true
  ip link del "$default_dev" >/dev/null 2>&1 || true
  cleanup
}
trap cleanup_net EXIT

cmds=(-n "berth: run --rm, --network none" "$BERTH run --rm --network none busybox true"
  -n "berth: run --rm, bridge network + -p" "$BERTH run --rm --network benchnet -p 127.0.0.1::8080 busybox true"
  -n "berth: run --rm, default bridge" "$BERTH run --rm busybox true")
if start_podman_cni; then
  cmds+=(-n "podman: run --rm, --network none" "$PODMAN_NET run --rm --network none localhost/busybox true"
    -n "podman: run --rm, bridge network + -p" "$PODMAN_NET run --rm --network benchnet -p 127.0.0.1::8080 localhost/busybox true")
else
  echo "bench: podman unavailable; skipped" >&2
fi
hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$BENCH_DIR/network.json" "${cmds[@]}"

mkdir -p "$BENCH_DIR/www"
head -c $((256 * 1024 * 1024)) /dev/zero >"$BENCH_DIR/www/blob"
throughput() { # NAME CLI IMAGE
  local port
  $2 run -d --name benchweb --network benchnet -p 127.0.0.1::80 -v "$BENCH_DIR/www:/www:ro" "$3" httpd -f -p 80 -h /www >/dev/null
  port=$($2 port benchweb 80 | head -1 | awk -F: '{print $NF}')
  for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  for _ in 1 2 3; do
    curl -s -o /dev/null -w '%{speed_download}\n' "http://127.0.0.1:$port/blob" | awk -v n="$1" '{printf "%-8s throughput through 127.0.0.1 (256 MiB): %.0f MiB/s\n", n, $1 / 1048576}'
  done
  $2 rm -f benchweb >/dev/null
}
throughput berth "$BERTH" busybox
[ -n "$PODMAN_NET" ] && throughput podman "$PODMAN_NET" localhost/busybox

[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$forward_before" ] || echo "bench: WARNING: ip_forward changed during the run" >&2
node -e '
const r = require(process.argv[1]).results;
const m = Object.fromEntries(r.map((x) => [x.command, x.median * 1000]));
for (const x of r) console.log(`${x.command.padEnd(40)} median ${(x.median * 1000).toFixed(1)} ms`);
const cost = (e) => m[`${e}: run --rm, bridge network + -p`] - m[`${e}: run --rm, --network none`];
console.log(`berth: bridge + port costs ${cost("berth").toFixed(1)} ms over none`);
if (m["podman: run --rm, bridge network + -p"]) console.log(`podman: bridge + port costs ${cost("podman").toFixed(1)} ms over none; berth bridge + -p vs podman: ${(m["podman: run --rm, bridge network + -p"] / m["berth: run --rm, bridge network + -p"]).toFixed(2)}x faster`);
' "$BENCH_DIR/network.json"

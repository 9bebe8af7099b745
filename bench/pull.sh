#!/usr/bin/env bash
# Cold pull of a ~100 MB, 5-layer image from a private local registry:
# berth vs podman vs skopeo copy + umoci unpack vs docker (private dockerd),
# gzip and zstd variants, timed loops (median of RUNS), with ratios; each
# time also until a `sync` after the pull (berth's layers are durable when
# its pull returns, its smaller blobs shortly after; the peers' are not).
# One untimed round of every tool comes first (WARMUP rounds, default 1):
# the daemons' first pulls (berth's JIT-compiles its pull path, dockerd's
# first pull sets up its stores), the peers' binaries read from disk; its
# times are printed apart and left out of the medians.
#   bench/pull.sh [RUNS]        (root; needs npm run build first)
set -uo pipefail
RUNS=${1:-3}
WARMUP=${WARMUP:-1}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=$(mktemp -d /tmp/berth-pullbench-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  grep -o " $B[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$B"
}
trap cleanup EXIT
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# --- registry with the image (gzip and zstd) ---
PORT=$((20000 + RANDOM % 20000)); REG=127.0.0.1:$PORT
cat >"$B/reg.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $B/reg}, delete: {enabled: true}}
http: {addr: $REG}
YML
docker-registry serve "$B/reg.yml" >/dev/null 2>&1 & PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://$REG/v2/" >/dev/null && break; sleep 0.05; done
for c in gzip zstd; do
  node "$REPO/bench/make-pull-image.mjs" "$B/img-$c" "$c"
  skopeo copy -q --preserve-digests --dest-tls-verify=false "oci:$B/img-$c:latest" "docker://$REG/bench-$c:latest"
done

declare -A T TD TIMES DTIMES
# Runs are interleaved (run 1 of every tool, then run 2, ...) so that load
# from other work on the machine falls on every tool alike. Each timed run
# starts after a `sync`: the tools leave 100-300 MB of unsynced data behind
# them (berth alone makes its layers durable), and a flush inside the next
# timed run would measure the previous tool's writes.
# Each tool function prints two times: until its pull returned, and until a
# `sync` right after it returned (the image durably on disk: berth flushes its
# layers before it records them and writes blobs it received into memory just
# after the pull, the peers leave their writes in the page cache, so the
# second time compares the same guarantee).
measure_all() { # name:function ...  (each run must be cold: the function sets itself up)
  declare -A WTIMES
  for i in $(seq $((WARMUP + RUNS))); do
    for nf in "$@"; do
      local name=${nf%%:*} fn=${nf#*:} out t td
      sync # the previous tool's unsynced writes are not flushed inside this one's timed run
      out=$("$fn" "$i") || { echo "  $name: run $i failed" >&2; continue; }
      read -r t td <<<"$out"
      if [ "$i" -le "$WARMUP" ]; then WTIMES[$name]="${WTIMES[$name]:-} $t"; continue; fi
      TIMES[$name]="${TIMES[$name]:-} $t"
      DTIMES[$name]="${DTIMES[$name]:-} $td"
    done
  done
  for nf in "$@"; do
    local name=${nf%%:*}
    [ -n "${TIMES[$name]:-}" ] || continue
    T[$name]=$(printf '%s\n' ${TIMES[$name]} | median)
    TD[$name]=$(printf '%s\n' ${DTIMES[$name]} | median)
    printf '  %-28s %6.2f s   (runs:%s; warm-up:%s)\n' "$name" "${T[$name]}" "${TIMES[$name]}" "${WTIMES[$name]:- none}"
    printf '  %-28s %6.2f s   (runs:%s)\n' "  + sync" "${TD[$name]}" "${DTIMES[$name]}"
  done
}
# the times of a timed run: start, pull returned; then syncs (prints "pull durable")
timed_sync() { # t0 t1
  sync
  local t2; t2=$(now)
  echo "$(echo "$2 - $1" | bc) $(echo "$t2 - $1" | bc)"
}

# --- berth: one daemon for every run, as dockerd below; between runs the image
# is removed and pruned, so that no blob or layer is left and each pull is cold ---
BERTHD="$B/berth"
BERTH_CLI="$REPO/dist/cli/berth.cjs -H unix://$BERTHD/s.sock"
start_berthd() {
  mkdir -p "$BERTHD"
  node "$REPO/dist/src/daemon/main.js" --root "$BERTHD/root" --exec-root "$BERTHD/run" --socket "$BERTHD/s.sock" >"$BERTHD/log" 2>&1 & PIDS+=($!)
  BERTHD_PID=$!
  for _ in $(seq 200); do [ -S "$BERTHD/s.sock" ] && break; sleep 0.05; done
  $BERTH_CLI version >/dev/null
}
berth_pull() { # compression run
  $BERTH_CLI rmi -f "$REG/bench-$1" >/dev/null 2>&1; $BERTH_CLI image prune -af >/dev/null 2>&1
  if [ -n "$(ls -A "$BERTHD/root/layers" 2>/dev/null)" ]; then echo "  berth: layers left after rmi and prune; the pull would not be cold" >&2; return 1; fi
  sync
  local c0; c0=$(awk '{print $14+$15}' /proc/$BERTHD_PID/stat)
  local t0; t0=$(now)
  $BERTH_CLI pull -q "$REG/bench-$1" >/dev/null || return 1
  local t1; t1=$(now)
  [ "$2" -le "$WARMUP" ] || awk -v c="$1" -v c0="$c0" '{printf "%s %.2f\n", c, ($14+$15-c0)/100}' /proc/$BERTHD_PID/stat >>"$B/berth-cpu"
  # Layer blobs received into memory are written to the content store after the pull returns (each flushed
  # before it appears there): "until durable" also waits for all 7 blobs (5 layers, config, manifest).
  for _ in $(seq 1000); do [ "$(ls "$BERTHD/root/content/blobs/sha256" | wc -l)" -ge 7 ] && break; sleep 0.005; done
  timed_sync "$t0" "$t1"
}
berth_gzip() { berth_pull gzip "$1"; }
berth_zstd() { berth_pull zstd "$1"; }

# --- podman: private storage on a tmpfs /var/lib (no shared cache) ---
podman_pull() {
  local d="$B/podman-$1-$2"; mkdir -p "$d/cfg"; echo '{}' >"$d/cfg/config.json"
  printf '[containers]\ndefault_ulimits = ["nofile=20000:20000","nproc=32768:32768"]\n' >"$d/containers.conf"
  local t0; t0=$(now)
  DOCKER_CONFIG="$d/cfg" CONTAINERS_CONF="$d/containers.conf" unshare -m sh -c "mount -t tmpfs -o size=16m x /var/lib && exec podman --root '$d/root' --runroot '$d/runroot' --storage-driver overlay pull -q --tls-verify=false '$REG/bench-$1'" >/dev/null 2>"$d/err" || { cat "$d/err" >&2; return 1; }
  local t1; t1=$(now)
  local times; times=$(timed_sync "$t0" "$t1")
  podman --root "$d/root" --runroot "$d/runroot" --storage-driver overlay rmi -a -f >/dev/null 2>&1
  rm -rf "$d" 2>/dev/null
  echo "$times"
}
podman_gzip() { podman_pull gzip "$1"; }
podman_zstd() { podman_pull zstd "$1"; }

# --- skopeo copy to an OCI layout + umoci unpack (gzip only: umoci 0.4.7 has no zstd) ---
skopeo_umoci() {
  local d="$B/sk-$1"; mkdir -p "$d"
  local t0; t0=$(now)
  unshare -m sh -c "mount -t tmpfs -o size=16m x /var/lib && skopeo copy -q --src-tls-verify=false 'docker://$REG/bench-gzip:latest' 'oci:$d/layout:latest'" >/dev/null || return 1
  umoci unpack --rootless --image "$d/layout:latest" "$d/bundle" >/dev/null 2>&1 || return 1
  local t1; t1=$(now)
  local times; times=$(timed_sync "$t0" "$t1")
  rm -rf "$d"
  echo "$times"
}

# --- docker: a private dockerd (no host network changes); gzip only (20.10 has no zstd) ---
DOCKER=""
start_dockerd() {
  command -v dockerd >/dev/null || return 1
  local d="$B/docker"; mkdir -p "$d"
  echo "{\"deprecated-key-path\": \"$d/key.json\"}" >"$d/daemon.json"
  dockerd --config-file "$d/daemon.json" --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/pid" -H "unix://$d/docker.sock" \
    --insecure-registry "$REG" --iptables=false --ip-forward=false --ip-masq=false --bridge=none --storage-driver overlay2 \
    --cgroup-parent /berth-bench >"$d/log" 2>&1 & PIDS+=($!)
  for _ in $(seq 200); do [ -S "$d/docker.sock" ] && docker -H "unix://$d/docker.sock" version >/dev/null 2>&1 && break; sleep 0.1; done
  docker -H "unix://$d/docker.sock" version >/dev/null 2>&1 || return 1
  DOCKER="docker -H unix://$d/docker.sock"
}
docker_gzip() {
  $DOCKER rmi -f "$REG/bench-gzip" >/dev/null 2>&1; $DOCKER image prune -af >/dev/null 2>&1
  sync
  local t0; t0=$(now)
  $DOCKER pull -q "$REG/bench-gzip" >/dev/null || return 1
  local t1; t1=$(now)
  timed_sync "$t0" "$t1"
}

start_berthd || { echo "  berth: berthd did not start (see $BERTHD/log)"; exit 1; }
TOOLS=(berth-gzip:berth_gzip berth-zstd:berth_zstd podman-gzip:podman_gzip podman-zstd:podman_zstd skopeo+umoci-gzip:skopeo_umoci)
if start_dockerd; then TOOLS+=(docker-gzip:docker_gzip); else echo "  docker: dockerd did not start (see $B/docker/log)"; fi
echo "cold pull, median of $RUNS interleaved runs after $WARMUP untimed (load average: $(cut -d' ' -f1-3 /proc/loadavg)):"
measure_all "${TOOLS[@]}"
for c in gzip zstd; do
  printf '  berth daemon CPU during the pull, %s: median %s s\n' "$c" "$(awk -v c=$c '$1 == c {print $2}' "$B/berth-cpu" | median)"
done

ratio() { [ -n "${T[$1]:-}" ] && [ -n "${T[$2]:-}" ] && printf '  %-34s %5.2fx   (until durable: %5.2fx)\n' "$2 / $1" "$(echo "${T[$2]} / ${T[$1]}" | bc -l)" "$(echo "${TD[$2]} / ${TD[$1]}" | bc -l)"; }
echo "speed-up of berth (peer time / berth time; targets: docker >= 3x, podman >= 2.5x):"
ratio berth-gzip docker-gzip
ratio berth-gzip podman-gzip
ratio berth-zstd podman-zstd
ratio berth-gzip skopeo+umoci-gzip

# Shared helpers for the benchmark scripts: a private berthd, a private podman
# store and, if it starts, a private dockerd that touches no host network.
# Every peer gets its own directories under $BENCH_DIR and is stopped on exit.

BENCH_DIR=${BENCH_DIR:-$(mktemp -d /tmp/berth-bench-XXXXXX)}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BERTH_SOCK="$BENCH_DIR/berth/run/berth.sock"
BERTH="$REPO/dist/cli/berth.cjs -H unix://$BERTH_SOCK"
DOCKER_SOCK="$BENCH_DIR/docker/docker.sock"
PIDS=()

cleanup() { # keeps the script's exit status: a leftover it cannot remove is not a failed benchmark
  local rc=$?
  set +e # a step that finds nothing to do must not end the cleanup
  # containers outlive their daemons (shims): remove every one first
  if [ -n "${DOCKER:-}" ]; then $DOCKER rm -f $($DOCKER ps -aq 2>/dev/null) >/dev/null 2>&1 || true; fi
  if [ -S "$BERTH_SOCK" ]; then $BERTH rm -f $($BERTH ps -aq 2>/dev/null) >/dev/null 2>&1 || true; fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # wait (up to 10 s) for the daemons to exit: one still writing makes the removal below fail
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo Z)" = Z ] && break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  sleep 0.2
  grep -o " $BENCH_DIR[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$BENCH_DIR" 2>/dev/null || echo "bench: could not remove all of $BENCH_DIR" >&2
  exit "$rc"
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null || { echo "bench: $1 is missing ($2)" >&2; exit 1; }; }

busybox_archive() {
  [ -f "$BENCH_DIR/busybox.tar" ] || node "$REPO/scripts/busybox-oci.mjs" --out "$BENCH_DIR/busybox.tar" --tag latest >/dev/null
  echo "$BENCH_DIR/busybox.tar"
}

start_berthd() {
  mkdir -p "$BENCH_DIR/berth"
  BERTH_TRACE=1 node "$REPO/dist/src/daemon/main.js" --root "$BENCH_DIR/berth/root" --exec-root "$BENCH_DIR/berth/run" --socket "$BERTH_SOCK" \
    >"$BENCH_DIR/berth/berthd.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do [ -S "$BERTH_SOCK" ] && break; sleep 0.05; done
  $BERTH load -i "$(busybox_archive)" >/dev/null
}

# podman with its own storage, runc, cgroupfs, and the ulimits this host allows.
PODMAN=""
start_podman() {
  command -v podman >/dev/null || return 1
  local d="$BENCH_DIR/podman"
  mkdir -p "$d/config"
  cat >"$d/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
CONF
  echo '{}' >"$d/config/config.json"
  PODMAN="env CONTAINERS_CONF=$d/containers.conf DOCKER_CONFIG=$d/config podman --root $d/storage --runroot $d/run --tmpdir $d/tmp"
  $PODMAN load -i "oci-archive:$(busybox_archive)" >/dev/null 2>&1 || $PODMAN load -i "$(busybox_archive)" >/dev/null
  $PODMAN tag "$($PODMAN images -q | head -1)" localhost/busybox:latest >/dev/null 2>&1 || true
}

# dockerd with --bridge=none, no iptables, no ip forwarding, its own roots.
DOCKER=""
start_dockerd() {
  command -v dockerd >/dev/null || return 1
  local d="$BENCH_DIR/docker"
  mkdir -p "$d"
  echo "{\"deprecated-key-path\": \"$d/key.json\"}" >"$d/daemon.json"
  dockerd --config-file "$d/daemon.json" --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/docker.pid" \
    -H "unix://$DOCKER_SOCK" --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
    --storage-driver overlay2 --cgroup-parent /berth-bench-docker >"$d/dockerd.log" 2>&1 &
  PIDS+=($!)
  DOCKER="docker -H unix://$DOCKER_SOCK"
  for _ in $(seq 1 100); do $DOCKER version >/dev/null 2>&1 && break; sleep 0.1; done
  $DOCKER version >/dev/null 2>&1 || { echo "bench: dockerd did not start; see $d/dockerd.log" >&2; DOCKER=""; return 1; }
  skopeo copy -q "oci-archive:$(busybox_archive)" "docker-archive:$d/busybox-docker.tar:busybox:latest" >/dev/null
  $DOCKER load -i "$d/busybox-docker.tar" >/dev/null
}

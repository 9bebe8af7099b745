#!/usr/bin/env bash
# Container lifecycle at scale, one run, Berth side by side with podman (runc)
# and a private dockerd where they start (see bench/lib.sh):
#   N concurrent `run -d sleep` (wall), engine memory with N running (daemon +
#   shims/conmon/containerd, PSS and RSS) -> per-container overhead, `rm -f` of
#   all N, and `logs` of LOG_BYTES in 1 KiB lines and of `yes | head -c` (short
#   lines): time of `logs` and log storage / output size.
# Usage: bench/lifecycle.sh [N]   (root, npm run build)
# Env: ENGINES (default "berth podman docker"); LOG_BYTES (default 100000000); SHORT_BYTES_DOCKER (default 10000000:
# docker needs ~250 s for 100 MB of short lines; its figure is scaled up).
set -euo pipefail
N=${1:-50}
LOG_BYTES=${LOG_BYTES:-100000000}
SHORT_BYTES_DOCKER=${SHORT_BYTES_DOCKER:-10000000}
source "$(dirname "$0")/lib.sh"
# `berth` as npm installs it (lib.sh): dist/cli/berth.cjs run as an executable,
# which starts node without NODE_EXTRA_CA_CERTS (cli/extra-ca-certs.ts).
# BERTH_VIA_NODE=1 measures `node dist/cli/berth.cjs` instead.
if [ "${BERTH_VIA_NODE:-}" = 1 ]; then BERTH="node $REPO/dist/cli/berth.cjs -H unix://$BERTH_SOCK"; fi

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# CPU seconds (user + sys) of this shell's finished children: the CLI processes.
children_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($16 + $17) / hz }' "/proc/$$/stat"; }

# Sum PSS and RSS (kB) of every process whose command line names $1 (the
# engine's private directories), leaving out the containers' own processes.
engine_mem() {
  local pss=0 rss=0 pid
  for pid in $(pgrep -f -- "$1"); do
    [ "$pid" = "$$" ] && continue
    [ -r "/proc/$pid/smaps_rollup" ] || continue
    pss=$((pss + $(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
    rss=$((rss + $(awk '/^Rss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo "$pss $rss"
}

# Bytes of the files under $1 larger than 1 MB that changed after marker $2:
# the container log (the containers write nothing else that large).
log_bytes() { find "$1" -type f -size +1M -newer "$2" -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }

# bench_engine NAME "CLI" IMAGE DIR EXTRA_RUN_FLAGS SHORT_BYTES
bench_engine() {
  local name=$1 cli=$2 image=$3 dir=$4 flags=$5 short=$6 t0 idle busy i
  read -r idle_pss idle_rss < <(engine_mem "$dir")
  local cpu0; cpu0=$(children_cpu)
  t0=$(now)
  local runs=()
  for i in $(seq 1 "$N"); do $cli run -d $flags --name "lc$i" "$image" sleep 3600 >/dev/null & runs+=($!); done
  wait "${runs[@]}"  # not a bare `wait`: that would wait for the daemons too
  local t_run; t_run=$(since "$t0")
  local cpu_run; cpu_run=$(awk -v a="$cpu0" -v b="$(children_cpu)" 'BEGIN { printf "%.2f", b - a }')
  sleep 2
  read -r busy_pss busy_rss < <(engine_mem "$dir")
  t0=$(now)
  $cli rm -f $(seq -f 'lc%g' 1 "$N") >/dev/null
  local t_rm; t_rm=$(since "$t0")

  local kib="yes $(printf 'a%.0s' $(seq 1 1023)) | head -c $LOG_BYTES"
  touch "$BENCH_DIR/mark-$name"
  $cli run -d $flags --name lckib "$image" sh -c "$kib" >/dev/null
  $cli wait lckib >/dev/null
  t0=$(now); $cli logs lckib >/dev/null 2>&1; local t_kib; t_kib=$(since "$t0")
  local s_kib; s_kib=$(log_bytes "$dir" "$BENCH_DIR/mark-$name")
  $cli rm -f lckib >/dev/null

  touch "$BENCH_DIR/mark2-$name"
  $cli run -d $flags --name lcshort "$image" sh -c "yes | head -c $short" >/dev/null
  $cli wait lcshort >/dev/null
  t0=$(now); $cli logs lcshort >/dev/null 2>&1; local t_short; t_short=$(since "$t0")
  local s_short; s_short=$(log_bytes "$dir" "$BENCH_DIR/mark2-$name")
  $cli rm -f lcshort >/dev/null

  awk -v n="$name" -v N="$N" -v tr="$t_run" -v cr="$cpu_run" -v trm="$t_rm" -v ip="$idle_pss" -v ir="$idle_rss" -v bp="$busy_pss" \
    -v br="$busy_rss" -v tk="$t_kib" -v sk="$s_kib" -v lb="$LOG_BYTES" -v ts="$t_short" -v ss="$s_short" -v sb="$short" 'BEGIN {
    printf "%-8s run -d x%d %6.2f s (CLI CPU %.2f s, %.0f ms each) | rm -f %5.2f s | engine idle %4.0f MB RSS (%4.0f PSS), +%.2f MB RSS (%.2f PSS)/container\n",
      n, N, tr, cr, cr * 1000 / N, trm, ir / 1024, ip / 1024, (br - ir) / 1024 / N, (bp - ip) / 1024 / N
    printf "%-8s logs 1KiB lines %6.2f s, storage %.2fx | logs short lines (%d B) %7.2f s (x%.1f = %.1f s per %d B), storage %.2fx\n",
      n, tk, sk / lb, sb, ts, lb / sb, ts * lb / sb, lb, ss / sb
  }'
}

ENGINES=${ENGINES:-berth podman docker}
wants() { [[ " $ENGINES " == *" $1 "* ]]; }
if wants berth; then
  start_berthd
  bench_engine berth "$BERTH" busybox "$BENCH_DIR/berth" "--network none" "$LOG_BYTES"
fi
if wants podman; then
  if start_podman >/dev/null 2>&1; then
    bench_engine podman "$PODMAN" localhost/busybox "$BENCH_DIR/podman" "--network none" "$LOG_BYTES"
  else echo "bench: podman unavailable; skipped" >&2; fi
fi
if wants docker; then
  if start_dockerd >/dev/null 2>&1; then
    bench_engine docker "$DOCKER" busybox "$BENCH_DIR/docker" "--network none" "$SHORT_BYTES_DOCKER"
  else echo "bench: dockerd unavailable; skipped" >&2; fi
fi
echo "targets: run -d >= 4x faster than docker; < 1 MB RSS per container; log storage <= 1.2x; short-line logs >= 10x faster than docker"

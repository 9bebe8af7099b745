#!/usr/bin/env bash
# Concurrent starts, Berth against a private dockerd, over several rounds:
# each round starts N `run -d … sleep` at once with Berth, then with docker
# (rounds interleaved, so load from elsewhere falls on both alike), and removes
# them. Prints every round, the medians, the ratio of the medians and each
# round's ratio. bench/lifecycle.sh measures the same thing once, with memory
# and logs; this script is for the ratio.
# Usage: bench/concurrent-starts.sh [N] [ROUNDS]   (root, npm run build)
set -euo pipefail
N=${1:-50}
ROUNDS=${2:-5}
# seconds to let the kernel finish tearing down the last round's containers
# (network namespaces are destroyed asynchronously) before the next round
SETTLE=${SETTLE:-10}
source "$(dirname "$0")/lib.sh"

now() { date +%s.%N; }
# CPU seconds (user + sys) of shell $1's finished children: the CLI processes
children_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($16 + $17) / hz }' "/proc/$1/stat"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# starts CLI IMAGE: prints "WALL CLI_CPU" of N concurrent run -d, then removes them
starts() {
  local cli=$1 image=$2 t0 cpu0 runs=() i me=$BASHPID
  cpu0=$(children_cpu "$me")
  t0=$(now)
  for i in $(seq 1 "$N"); do $cli run -d --network none --name "cs$i" "$image" sleep 3600 >/dev/null 2>>"$BENCH_DIR/cs-err" & runs+=($!); done
  local failed=0 p
  for p in "${runs[@]}"; do wait "$p" || failed=$((failed + 1)); done
  [ "$failed" = 0 ] || echo "  ($failed of $N runs failed: $(tail -1 "$BENCH_DIR/cs-err"))" >&2
  awk -v a="$t0" -v b="$(now)" -v c0="$cpu0" -v c1="$(children_cpu "$me")" 'BEGIN { printf "%.2f %.2f\n", b - a, c1 - c0 }'
  $cli rm -f $($cli ps -aq) >/dev/null
}

start_berthd
start_dockerd >/dev/null 2>&1 || { echo "bench: dockerd did not start; nothing to compare with" >&2; exit 1; }
echo "$N concurrent run -d, $ROUNDS interleaved rounds (load average at start: $(cut -d' ' -f1-3 /proc/loadavg)):"
B=() D=()
for r in $(seq 1 "$ROUNDS"); do
  sync; sleep "$SETTLE"
  read -r bw bc < <(starts "$BERTH" busybox)
  sync; sleep "$SETTLE"
  read -r dw dc < <(starts "$DOCKER" busybox)
  B+=("$bw") D+=("$dw")
  awk -v r="$r" -v bw="$bw" -v bc="$bc" -v dw="$dw" -v dc="$dc" -v n="$N" 'BEGIN {
    printf "  round %d: berth %5.2f s (CLI CPU %3.0f ms each) | docker %6.2f s (CLI CPU %3.0f ms each) | %.2fx\n", r, bw, bc * 1000 / n, dw, dc * 1000 / n, dw / bw }'
done
bm=$(printf '%s\n' "${B[@]}" | median)
dm=$(printf '%s\n' "${D[@]}" | median)
awk -v bm="$bm" -v dm="$dm" 'BEGIN { printf "median: berth %.2f s, docker %.2f s: %.2fx (target >= 4x)\n", bm, dm, dm / bm }'

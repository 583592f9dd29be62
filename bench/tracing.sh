#!/bin/bash
# The tracing benchmark: each load run bare, under strace with its seccomp-bpf filter on the same
# calls, and under `ipcgrade run`, in one invocation, pinned to one CPU; the median of RUNS runs.
# Usage: bench/tracing.sh [RUNS]   (needs a built ./build/ipcgrade; run from the project root)
# With BASELINE=/path/to/another/ipcgrade, that build runs too, in the same invocation, and the ratio
# of the two is printed: how a change to the tracer moved its cost.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc -O2 -o "$out/pingpong" bench/pingpong.c
cc -O2 -o "$out/getppid_loop" bench/getppid_loop.c
ipcgrade=./build/ipcgrade
calls=msgget,msgsnd,msgrcv,msgctl,shmget,shmat,shmdt,shmctl,semget,semop,semtimedop,semctl,pipe,pipe2,close,close_range,dup,dup2,dup3,fork,vfork,clone,clone3,exit_group
cpu=${BENCH_CPU:-0}

# Seconds of one run of "$@", pinned.
seconds() {
  local start end
  start=$(date +%s%N)
  taskset -c "$cpu" "$@" > /dev/null 2>&1
  end=$(date +%s%N)
  echo "scale=4; ($end - $start) / 1000000000" | bc
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

measure() {  # name, command...
  local name=$1; shift
  for _ in $(seq "$runs"); do seconds "$@"; done | median > "$out/$name"
  cat "$out/$name"
}

printf '%-10s %-9s %10s %8s\n' load runner seconds ratio
for load in pingpong getppid_loop; do
  bare=$(measure "$load-bare" "$out/$load")
  st=$(measure "$load-strace" strace -f --seccomp-bpf -e trace="$calls" -o /dev/null "$out/$load")
  ig=$(measure "$load-ipcgrade" "$ipcgrade" run -- "$out/$load")
  rows=("bare:$bare" "strace:$st" "ipcgrade:$ig")
  if [ -n "${BASELINE:-}" ]; then
    base=$(measure "$load-baseline" "$BASELINE" run -- "$out/$load")
    rows+=("baseline:$base")
  fi
  for r in "${rows[@]}"; do
    printf '%-10s %-9s %10.3f %7.2fx\n' "$load" "${r%%:*}" "${r#*:}" "$(echo "scale=4; ${r#*:} / $bare" | bc)"
  done
  printf '%-10s ipcgrade/strace = %.2f\n' "$load" "$(echo "scale=4; $ig / $st" | bc)"
  if [ -n "${BASELINE:-}" ]; then
    printf '%-10s ipcgrade/baseline = %.2f\n' "$load" "$(echo "scale=4; $ig / $base" | bc)"
  fi
done

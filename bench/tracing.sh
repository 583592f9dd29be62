#!/bin/bash
# The tracing benchmark: each load run bare, under strace with its seccomp-bpf filter on the same
# calls, and under `ipcgrade run` with each tracer (ptrace alone, and the BPF observer where this
# machine may load it), in one invocation, pinned to one CPU; the median of RUNS runs. The loads:
# a message ping-pong (pingpong.c), four workers taking and giving a semaphore (semworkers.c), and a
# million untraced calls (getppid_loop.c).
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
cc -O2 -o "$out/semworkers" bench/semworkers.c
ipcgrade=./build/ipcgrade
calls=msgget,msgsnd,msgrcv,msgctl,shmget,shmat,shmdt,shmctl,semget,semop,semtimedop,semctl,pipe,pipe2,close,close_range,dup,dup2,dup3,fork,vfork,clone,clone3,exit_group
cpu=${BENCH_CPU:-0}  # BENCH_CPU=none: unpinned, the processes on every CPU as a grader runs them

# Seconds of one run of "$@", pinned.
seconds() {
  local start end
  start=$(date +%s%N)
  if [ "$cpu" = none ]; then "$@" > /dev/null 2>&1; else taskset -c "$cpu" "$@" > /dev/null 2>&1; fi
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
# The observer needs CAP_BPF and BTF: where `--tracer bpf` is refused, its rows are left out.
bpf=yes
"$ipcgrade" run --tracer bpf -- true > /dev/null 2>&1 || bpf=
# A baseline built before --tracer existed traces with ptrace alone. BASELINE_TRACER=bpf compares the
# two builds' observers instead.
base_tracer=${BASELINE_TRACER:-ptrace}
base_args=(run --)
if [ -n "${BASELINE:-}" ] && "$BASELINE" run --tracer "$base_tracer" -- true > /dev/null 2>&1; then
  base_args=(run --tracer "$base_tracer" --)
fi
for load in pingpong semworkers getppid_loop; do
  bare=$(measure "$load-bare" "$out/$load")
  st=$(measure "$load-strace" strace -f --seccomp-bpf -e trace="$calls" -o /dev/null "$out/$load")
  ig=$(measure "$load-ipcgrade" "$ipcgrade" run --tracer ptrace -- "$out/$load")
  rows=("bare:$bare" "strace:$st" "ptrace:$ig")
  if [ -n "$bpf" ]; then
    ib=$(measure "$load-bpf" "$ipcgrade" run --tracer bpf -- "$out/$load")
    rows+=("bpf:$ib")
  fi
  if [ -n "${BASELINE:-}" ]; then
    base=$(measure "$load-baseline" "$BASELINE" "${base_args[@]}" "$out/$load")
    rows+=("baseline:$base")
  fi
  for r in "${rows[@]}"; do
    printf '%-10s %-9s %10.3f %7.2fx\n' "$load" "${r%%:*}" "${r#*:}" "$(echo "scale=4; ${r#*:} / $bare" | bc)"
  done
  printf '%-10s ptrace/strace = %.2f\n' "$load" "$(echo "scale=4; $ig / $st" | bc)"
  if [ -n "$bpf" ]; then
    printf '%-10s bpf/ptrace = %.2f\n' "$load" "$(echo "scale=4; $ib / $ig" | bc)"
  fi
  if [ -n "${BASELINE:-}" ]; then
    mine=$ig
    [ "$base_tracer" = bpf ] && [ -n "$bpf" ] && mine=$ib
    printf '%-10s %s/baseline = %.2f\n' "$load" "$base_tracer" "$(echo "scale=4; $mine / $base" | bc)"
  fi
done

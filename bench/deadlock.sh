#!/bin/bash
# Time to verdict for deadlocked submissions: the pipe-shout variant whose reader keeps the write end
# and the msgqueue-relay variant whose clients receive with msgtyp 0, each graded with a 20 s wall
# limit, against waiting the limit out (what a timeout-based grader does). Reports each scenario's
# time from its first start to the verdict, median over RUNS gradings.
# Usage: bench/deadlock.sh [RUNS]   (needs a built ./build/ipcgrade; run from the project root)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-40s %-10s %14s %12s\n' submission outcome verdict_after wall_limit
for case in pipe-shout/reader-keeps-write-end msgqueue-relay/msgtyp-zero; do
  assignment=${case%%/*}
  variant=${case#*/}
  cp -r "assignments/$assignment" "$work/$assignment"
  sed -i 's/^  wall: .*/  wall: 20s/' "$work/$assignment/assignment.yaml"
  for _ in $(seq "$runs"); do
    { ./build/ipcgrade grade "$work/$assignment" "assignments/$assignment/variants/$variant" --json || true; } |
      python3 -c 'import json,sys; r=json.load(sys.stdin); print(max(s["seconds"] for s in r["scenarios"]), r["scenarios"][0]["outcome"])'
  done | sort -n | awk -v c="$case" 'NR==1{o=$2} {a[NR]=$1} END {printf "%-40s %-10s %12.3f s %10s\n", c, o, a[int((NR+1)/2)], "20 s"}'
done

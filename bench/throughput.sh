#!/bin/bash
# Grading throughput on a class of 60 copies of the msgqueue-relay solution and variants (every
# outcome: full marks, leaks, a deadlock, a failed build), --jobs 2, against the plain shell harness
# of shell_harness.sh run two at a time, in one invocation.
# WALL (default 3, the assignment's own limit) is the time limit in seconds given to both graders.
# Usage: bench/throughput.sh [WALL]   (needs a built ./build/ipcgrade; run from the project root)
# IPCGRADE=/path/to/another/ipcgrade compares another build (before and after a change).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sources=(assignments/msgqueue-relay/solution assignments/msgqueue-relay/variants/*)
for i in $(seq 0 59); do
  cp -r "${sources[$((i % ${#sources[@]}))]}" "$work/class/s$(printf %02d "$i")" 2>/dev/null ||
    { mkdir -p "$work/class"; cp -r "${sources[$((i % ${#sources[@]}))]}" "$work/class/s$(printf %02d "$i")"; }
done
wall=${1:-3}
cp -r assignments/msgqueue-relay "$work/assignment"
sed -i "s/^  wall: .*/  wall: ${wall}s/" "$work/assignment/assignment.yaml"
now() { date +%s.%N; }

start=$(now)
"${IPCGRADE:-./build/ipcgrade}" batch "$work/assignment" "$work/class" --out "$work/out" --jobs 2 > /dev/null 2>&1
ipcgrade_s=$(echo "$(now) - $start" | bc)

start=$(now)
ls "$work/class" | awk '{printf "%s %d\n", $1, 24576 + NR}' |
  xargs -P 2 -n 2 sh -c 'bench/shell_harness.sh "'"$work"'/class/$0" "$1" '"$wall" > "$work/harness.txt"
harness_s=$(echo "$(now) - $start" | bc)

printf 'time limit %s s for both\n' "$wall"
printf '%-28s %8s %12s\n' grader seconds submissions/s
printf '%-28s %8.2f %12.2f\n' "ipcgrade batch --jobs 2" "$ipcgrade_s" "$(echo "60 / $ipcgrade_s" | bc -l)"
printf '%-28s %8.2f %12.2f\n' "shell harness, 2 at a time" "$harness_s" "$(echo "60 / $harness_s" | bc -l)"
printf 'ipcgrade throughput = %.1f x the shell harness\n' "$(echo "$harness_s / $ipcgrade_s" | bc -l)"

#!/bin/sh
# How often schedules catch the race-lab sample's races, and what runs cost: each submission graded
# GRADINGS times with its scenarios' runs: 5 (each check failing in a grading counts it caught), and
# the solution and one variant timed with runs: 5 against --runs 1.
#   bench/races.sh [GRADINGS]     # default 40
set -eu
cd "$(dirname "$0")/.."
gradings=${1:-40}
lab=assignments/race-lab
# One report file, removed however the script ends (an interrupted run left it behind before).
report=$(mktemp "${TMPDIR:-/tmp}/ipcgrade-races-XXXXXX.json")
trap 'rm -f "$report"' EXIT INT TERM
count() {  # submission, check name: in how many gradings the check failed
  n=0
  i=0
  while [ "$i" -lt "$gradings" ]; do
    ./build/ipcgrade grade "$lab" "$lab/$1" --json 2> /dev/null > "$report" || true
    # A grading that printed no report is the grader's failure, not a race missed: stop and say so.
    python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$report" 2> /dev/null ||
      { echo "races.sh: grading $1 printed no report" >&2; exit 1; }
    if python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if any(sys.argv[2] in ('', c['name']) and c['status']=='failed' for c in r['checks']) else 1)" "$report" "$2"; then
      n=$((n + 1))
    fi
    i=$((i + 1))
  done
  echo "$n"
}
seconds() {  # submission, extra options: wall time of one grading, mean of 5
  python3 - "$@" <<'PY'
import subprocess, sys, time
t = []
for _ in range(5):
    s = time.monotonic()
    subprocess.run(["./build/ipcgrade", "grade", "assignments/race-lab", "assignments/race-lab/" + sys.argv[1]] + sys.argv[2:],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.append(time.monotonic() - s)
print(f"{sum(t) / len(t):.2f}")
PY
}
for pair in "counter-without-semaphore|the counter is exact" \
            "send-before-msgget|the note arrives" \
            "output-order-assumed|the child greets before the parent is done"; do
  variant=${pair%%|*}
  check=${pair#*|}
  printf '%-28s caught in %s of %s gradings\n' "$variant" "$(count "variants/$variant" "$check")" "$gradings"
done
printf '%-28s some check failed in %s of %s gradings\n' solution "$(count solution "")" "$gradings"
printf 'one grading of the solution: runs: 5 %s s, --runs 1 %s s\n' "$(seconds solution)" "$(seconds solution --runs 1)"

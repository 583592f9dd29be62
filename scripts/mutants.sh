#!/bin/bash
# The mutation run: how many small, realistic bugs the test suite catches. Each tests/mutants/*.patch
# is one bug; its first lines say what it breaks ("# ...") and which tests could notice it
# ("# tests: BINARY[:GTEST_FILTER] ..."). Every patch is applied in turn to a clone of the committed tree,
# the clone is rebuilt incrementally, those tests run, and one line is printed per mutant: "killed by
# TEST" or "SURVIVED". A patch that no longer applies or builds is an error of the patch (the patches
# move with the code): the run says so and exits 2.
#
# Usage: scripts/mutants.sh [PATCH...]     (as root, like the suite; about a minute per mutant)
# Not part of .ci/run: tests/README.md keeps the latest result.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
patches=("$@")
[ ${#patches[@]} -eq 0 ] && patches=(tests/mutants/*.patch)

work=$(mktemp -d "${TMPDIR:-/tmp}/ipcgrade-mutants.XXXXXX")
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/src"
echo "mutants: building a clone of $(git rev-parse --short HEAD) in $work"
cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIPCGRADE_TESTS=ON > /dev/null
cmake --build "$work/build" > "$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 2; }

# The host's IPC objects and /dev/shm before: a mutant that breaks the clean-up must not leave its
# objects on this machine.
ipc_ids() { for t in msg shm sem; do awk -v t="$t" 'NR>1 {print t, $2}' "/proc/sysvipc/$t"; done | sort; }
before=$(ipc_ids)
shm_before=$(ls /dev/shm 2> /dev/null | sort)
clean_host() {
  comm -13 <(echo "$before") <(ipc_ids) | while read -r kind id; do
    case $kind in msg) ipcrm -q "$id" ;; shm) ipcrm -m "$id" ;; sem) ipcrm -s "$id" ;; esac 2> /dev/null
  done
  comm -13 <(echo "$shm_before") <(ls /dev/shm 2> /dev/null | sort) | grep -v '^libpod' |
    while read -r name; do rm -f "/dev/shm/$name"; done
}

killed=0 survived=0 broken=0
start=$SECONDS
for patch in "${patches[@]}"; do
  name=$(basename "$patch" .patch)
  what=$(sed -n '1s/^# //p' "$patch")
  tests=$(sed -n 's/^# tests: //p' "$patch")
  if ! git -C "$work/src" apply "$root/$patch" 2> "$work/apply.log"; then
    echo "$name: BROKEN PATCH (does not apply: update it to the code)"
    broken=$((broken + 1))
    continue
  fi
  if ! cmake --build "$work/build" > "$work/build.log" 2>&1; then
    echo "$name: BROKEN PATCH (does not build)"
    broken=$((broken + 1))
    git -C "$work/src" checkout -q -- .
    continue
  fi
  verdict=""
  for spec in $tests; do
    binary=${spec%%:*}
    filter='*'
    [ "$binary" != "$spec" ] && filter=${spec#*:}
    out=$(cd "$work/build/tests" && timeout 900 "./$binary" --gtest_filter="$filter" --gtest_brief=1 2>&1)
    status=$?
    clean_host
    if [ $status -ne 0 ]; then
      failed=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([^ ,]*\).*/\1/p' | head -1)
      verdict="killed by ${binary}${failed:+ $failed}"
      [ -z "$failed" ] && verdict="killed by $binary (exit $status)"
      break
    fi
  done
  if [ -n "$verdict" ]; then
    killed=$((killed + 1))
    echo "$name: $verdict"
  else
    survived=$((survived + 1))
    echo "$name: SURVIVED ($what; ran $tests)"
  fi
  git -C "$work/src" checkout -q -- .
done
# The clone's build holds the last mutant's objects; it goes with the folder.
echo "mutants: $killed killed, $survived survived$([ $broken -gt 0 ] && echo ", $broken broken") of ${#patches[@]} in $((SECONDS - start)) s"
[ $broken -eq 0 ] || exit 2

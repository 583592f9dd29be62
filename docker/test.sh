#!/bin/bash
# The real test of the grader image: builds it with podman, grades a sample solution and a leaking
# variant inside a container with the engine's default security (no --privileged, no added
# capabilities, the default seccomp profile), runs the Gradescope entry point on a Gradescope-shaped
# folder, and checks the reports. Reuses a debian:bookworm base image already present, and makes one
# with debootstrap otherwise (no registry is needed). Skips only where podman cannot run at all.
# Usage: docker/test.sh [--build-only]   (as root, from anywhere)
#   --build-only  build the image and stop (scripts/test.sh builds it while the host's suite runs)
set -euo pipefail
cd "$(dirname "$0")/.."
image=localhost/ipcgrade:test
base=docker.io/library/debian:bookworm
podman_run=(podman --runtime runc --cgroup-manager cgroupfs run --rm
            --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)

# What this script calls besides podman (python3 reads the reports): installed if missing.
if ! command -v python3 > /dev/null; then ./scripts/install-deps.sh --test; fi

if ! command -v podman > /dev/null || ! podman info > /dev/null 2>&1; then
  echo "docker/test.sh: SKIPPED — podman cannot run on this machine (install podman, runc and debootstrap)"
  exit 0
fi

# Where podman runs but cannot store an image (a container inside a container: overlay over overlayfs),
# nothing below can work: say so in one line rather than fail in the middle of the real build.
probe=$(mktemp -d)
echo probe > "$probe/probe"
printf 'FROM scratch\nCOPY probe /probe\n' > "$probe/Containerfile"
if ! probe_error=$(podman build --pull=never --isolation=chroot -t localhost/ipcgrade-probe "$probe" 2>&1); then
  rm -rf "$probe"
  echo "docker/test.sh: SKIPPED — podman cannot build images on this machine (a container inside a container?): $(echo "$probe_error" | tail -n 1)"
  exit 0
fi
rm -rf "$probe"
podman rmi -f localhost/ipcgrade-probe > /dev/null 2>&1 || true

if ! podman image exists "$base"; then
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
  mirror=${mirror:-http://deb.debian.org/debian}
  rootfs=$(mktemp -d)
  echo "docker/test.sh: making $base with debootstrap from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > /dev/null
  tar -C "$rootfs" -c . | podman import - "$base" > /dev/null
  rm -rf "$rootfs"
fi

echo "docker/test.sh: building $image"
# The image this replaces is removed afterwards, so that repeated runs do not pile up 600 MB each.
old_image=$(podman image inspect --format '{{.Id}}' "$image" 2> /dev/null || true)
podman build --pull=never --isolation=chroot -f docker/Dockerfile -t "$image" . > /dev/null
echo "docker/test.sh: built in ${SECONDS}s"
[ "${1:-}" = --build-only ] && exit 0

failures=0
passes=0
expect() {  # description, condition (a python expression on the JSON report r)
  if python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$3"; then
    echo "ok   - $1"; passes=$((passes + 1))
  else
    echo "FAIL - $1"; failures=$((failures + 1))
  fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. A sample solution and a leaking variant, graded with the image's own copy of the samples.
a=/usr/share/ipcgrade/assignments/msgqueue-relay
"${podman_run[@]}" "$image" grade "$a" "$a/solution" --json > "$work/solution.json" || true
expect "the solution gets full marks in a default container" \
  'r["score"] == r["max_score"] == 100 and all(s["outcome"] == "completed" for s in r["scenarios"])' \
  "$work/solution.json"
expect "the report says which isolation ran" 'r["mode"] == "namespaces"' "$work/solution.json"
"${podman_run[@]}" "$image" grade "$a" "$a/variants/queue-never-removed" --json > "$work/leak.json" || true
expect "the leaking variant loses the leftover check, its queue reclaimed, with the source line" \
  'r["score"] == 90 and r["scenarios"][0]["leftovers"][0]["reclaimed"] and r["scenarios"][0]["leftovers"][0]["at"] == "server.c:22"' \
  "$work/leak.json"
expect "the same verdicts as the native build" \
  '[c["status"] for c in r["checks"]] == ["passed"]*4 + ["failed"] + ["passed"]*4' "$work/leak.json"

# 1b. An engine whose seccomp profile refuses namespaces (as some default profiles do): `auto` falls
# back to tracked mode, says why, and grades the same; the leaked queue is still reclaimed.
cat > "$work/no-namespaces.json" <<'PROFILE'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["unshare", "setns"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
PROFILE
"${podman_run[@]}" --security-opt seccomp="$work/no-namespaces.json" "$image" \
  grade "$a" "$a/variants/queue-never-removed" --json > "$work/tracked.json" || true
expect "without namespaces, auto grades in tracked mode and says why" \
  'r["mode"] == "tracked" and "namespaces unavailable" in r["mode_reason"] and r["score"] == 90' "$work/tracked.json"
expect "tracked mode: the same verdicts, the leaked queue reclaimed with its source line" \
  '[c["status"] for c in r["checks"]] == ["passed"]*4 + ["failed"] + ["passed"]*4 and all(l["reclaimed"] and l["at"] == "server.c:22" for s in r["scenarios"] for l in s["leftovers"])' \
  "$work/tracked.json"

# 2. A student's repository made from the assignment's kit, checked from inside it (what its CI job runs).
"${podman_run[@]}" -v "$work:/out" "$image" kit /usr/share/ipcgrade/assignments/pipe-shout /out/repo > /dev/null
cp -r assignments/pipe-shout/variants/writer-keeps-read-end/. "$work/repo/"
set +e
"${podman_run[@]}" -v "$work/repo:/work" -w /work "$image" check --junit junit.xml > "$work/check.txt" 2>&1
status=$?
set -e
if [ $status -eq 1 ] && grep -q "FAIL  each process closes the pipe end it does not use" "$work/check.txt" &&
   grep -q "at shout.c:63" "$work/check.txt" && ! grep -q "many messages" "$work/check.txt" &&
   ! grep -rq "many messages" "$work/repo" && grep -q "<failure" "$work/repo/junit.xml"; then
  echo "ok   - check in a repository made by kit: the pipe-closure failure, its line, nothing hidden"
  passes=$((passes + 1))
else
  echo "FAIL - check in a repository made by kit (exit $status):"; cat "$work/check.txt"; failures=$((failures + 1))
fi

# 3. Every sample variant: the image's verdicts equal the native build's, gradebook for gradebook.
if [ -x build/ipcgrade ]; then
  for assignment in msgqueue-relay shm-exchange pipe-shout; do
    class="$work/class-$assignment"
    mkdir -p "$class"
    cp -r "assignments/$assignment/solution" "$class/solution"
    for v in assignments/$assignment/variants/*; do cp -r "$v" "$class/$(basename "$v")"; done
    ./build/ipcgrade batch "assignments/$assignment" "$class" --out "$work/native-$assignment" > /dev/null 2>&1
    mkdir -p "$work/image-$assignment"
    "${podman_run[@]}" -v "$class:/class:ro" -v "$work/image-$assignment:/out" "$image" \
      batch "/usr/share/ipcgrade/assignments/$assignment" /class --out /out > /dev/null 2>&1 || true
    if cmp -s "$work/native-$assignment/gradebook.csv" "$work/image-$assignment/gradebook.csv"; then
      echo "ok   - $assignment: every variant graded in the container as natively"; passes=$((passes + 1))
    else
      echo "FAIL - $assignment: the container's gradebook differs from the native one:"
      diff "$work/native-$assignment/gradebook.csv" "$work/image-$assignment/gradebook.csv" || true
      failures=$((failures + 1))
    fi
  done
else
  echo "docker/test.sh: build/ipcgrade is not built; the comparison with the native verdicts is left out"
fi

# 4. Gradescope's layout and entry point.
mkdir -p "$work/autograder/source" "$work/autograder/submission" "$work/autograder/results"
cp -r assignments/shm-exchange/. "$work/autograder/source/"
cp -r assignments/shm-exchange/variants/no-rmid/. "$work/autograder/submission/"
"${podman_run[@]}" -v "$work/autograder:/autograder" --entrypoint /usr/share/ipcgrade/gradescope/run_autograder \
  "$image" > "$work/gradescope.txt" 2>&1
# One test per check, two for a check over visible and hidden scenarios (5 of the 7): its parts.
expect "Gradescope's results.json has the score and a test per check or part of one" \
  'r["score"] == 80 and len(r["tests"]) == 12 and sum(t["score"] for t in r["tests"]) == 80 and {t["visibility"] for t in r["tests"]} <= {"visible", "after_published"}' \
  "$work/autograder/results/results.json"

# 5. The test suite itself inside the image, where CI runs it: in a default-security container whose
# PID 1 never reaps (`sleep infinity`, as CI runners start one), and in one whose seccomp profile
# refuses unshare (Docker's default does, so Docker gives tracked mode). The suite built on this
# machine is mounted at its own path; tests whose guarantee depends on what the machine offers (cgroups,
# a uid of the run's own, a fresh /proc) assert the documented degraded behaviour there. The two run
# side by side: each container has IPC and PID namespaces of its own.
if [ -x build/tests/hostile_tests ]; then
  suite() {  # name, gtest filter, extra podman options...
    local name=$1 filter=$2
    shift 2
    local c
    c=$("${podman_run[@]}" -d "$@" -v "$PWD:$PWD" -w "$PWD/build/tests" -e IPCGRADE_STATE_DIR=/tmp/state \
        --entrypoint sleep "$image" infinity) ||
      { echo "the container did not start" > "$work/suite-$name.txt"; echo 125 > "$work/suite-$name.status"; return; }
    # (Under `set -e` a failing exec would end this function before the status is written: `||` keeps it.)
    local status=0
    podman exec -e FILTER="$filter" "$c" sh -c 'status=0; for t in unit integration hostile sealed escape walls; do
        ./${t}_tests --gtest_brief=1 --gtest_filter="$FILTER" || status=1; done; exit $status' \
        > "$work/suite-$name.txt" 2>&1 || status=$?
    echo $status > "$work/suite-$name.status"
    # Every process the suite's graders killed was reaped: none is left to a PID 1 that never reaps.
    podman exec "$c" ps -eo stat=,comm= | awk '$1 ~ /^Z/' > "$work/suite-$name.zombies" || true
    podman rm -f "$c" > /dev/null 2>&1 || true
  }
  echo "docker/test.sh: the test suite in two containers (${SECONDS}s)"
  # Left to the machine's own run: what a container does not change (the grader's memory, verdicts that
  # hold under any scheduling, batch bookkeeping — shards, their merge, resuming, the progress line;
  # batch itself is graded in the container in 3 above — and the kit, which is files).
  same_anywhere='Pictures.*:Races.*:*Million*:*TenTimes*:Batch.KilledAndResumed*:Batch.Shards*:Batch.ThreeShards*:Batch.AMissingShard*:Batch.TheProgressLine*:Batch.EveryReportEquals*:Kit.*:SampleReports.*'
  # Tracked mode in a default container is what the no-unshare container grades with (root without
  # CAP_IPC_OWNER or CAP_SYS_PTRACE in both): each attack's `tracked` run is left to that one.
  suite default "-$same_anywhere:Modes/*/tracked" &
  # Without namespaces `auto` is tracked mode, so each attack's `auto` run would repeat its `tracked` one
  # (1b above shows that `auto` chooses tracked mode there).
  suite no-unshare "-$same_anywhere:Modes/*/auto" --security-opt seccomp="$work/no-namespaces.json" &
  wait
  for name in default no-unshare; do
    if [ "$(cat "$work/suite-$name.status")" = 0 ] && [ ! -s "$work/suite-$name.zombies" ]; then
      echo "ok   - the test suite in a container ($name): $(awk '/^\[  PASSED  \]/ {n += $4} END {print n + 0}' "$work/suite-$name.txt") passed, no zombie"
      passes=$((passes + 1))
    else
      echo "FAIL - the test suite in a container ($name):"
      echo "  exit status $(cat "$work/suite-$name.status" 2>/dev/null || echo unknown)"
      grep -E '^\[  FAILED|Failure|zombie' -A3 "$work/suite-$name.txt" | head -60 || true
      # A suite that died (a crash, a killed container) prints no FAILED line: its last words say why.
      grep -qE '^\[  FAILED' "$work/suite-$name.txt" || tail -n 20 "$work/suite-$name.txt"
      [ -s "$work/suite-$name.zombies" ] && { echo "zombies left:"; sort "$work/suite-$name.zombies" | uniq -c; }
      failures=$((failures + 1))
    fi
  done
else
  echo "docker/test.sh: the test suite is not built; running it in a container is left out"
fi

# The build stage's intermediate images (1.3 GB each) go; the image itself stays for the next run.
podman image prune -f --filter label=org.ipcgrade.stage=build > /dev/null 2>&1 || true
if [ -n "$old_image" ] && [ "$old_image" != "$(podman image inspect --format '{{.Id}}' "$image")" ]; then
  podman rmi "$old_image" > /dev/null 2>&1 || true
fi

echo "docker: $passes passed, $failures failed (${SECONDS}s)"
[ $failures -eq 0 ]

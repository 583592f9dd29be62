#!/bin/sh
# Second command of the README (and what CI runs): install what is needed, build, run the whole test
# suite, a short fuzz pass, the container image's test (docker/test.sh) and a class graded on a
# one-machine Slurm cluster (tests/cluster/slurm.sh), then make sure the suite left the machine as it found it: the same System V IPC objects, the
# same /dev/shm, and no process of the suite still running.
#   --sanitize  instead: the grader and the test drivers built with AddressSanitizer and
#               UndefinedBehaviorSanitizer into ./build-sanitize, and ctest run there (slower: not CI's run).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh --test
if [ "${1:-}" = "--sanitize" ]; then
  generator=""
  command -v ninja >/dev/null 2>&1 && generator="-G Ninja"
  # shellcheck disable=SC2086
  # Without -Werror: under the sanitizers gcc 12 warns falsely inside the standard library (maybe-uninitialized).
  cmake -S . -B build-sanitize $generator -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIPCGRADE_WERROR=OFF \
    -DIPCGRADE_TESTS=ON -DIPCGRADE_SANITIZE=ON
  cmake --build build-sanitize --parallel "${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
  # Leaks are not looked for: LeakSanitizer stops the process with ptrace at exit, and the supervisor is a
  # tracer itself.
  cd build-sanitize
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    exec ctest --output-on-failure --timeout 900
fi
./scripts/build.sh

snapshot() {
  for t in msg shm sem; do awk -v t="$t" 'NR>1 {print t, $1, $2, $3}' "/proc/sysvipc/$t"; done | sort
  # The container engine's own lock files (libpod_lock, libpod_rootless_lock_UID) come and go with it.
  find /dev/shm -mindepth 1 -maxdepth 1 ! -name 'libpod*' 2>/dev/null | sort
  find /dev/mqueue -mindepth 1 -maxdepth 1 2>/dev/null | sort
  # Scratch folders of the grader and the tests' own folders: every one is removed on every path.
  find "${TMPDIR:-/tmp}" -mindepth 1 -maxdepth 1 -name 'ipcgrade-*' ! -name '*.log' ! -name '*.txt' 2>/dev/null | sort
}
before=$(snapshot)

# Serially: one test makes an IPC object on the host on purpose (to prove the sandbox cannot touch
# it), and every other test asserts that the host's objects do not change while it runs.
# The container image builds meanwhile, at the lowest priority so that the tests keep the CPU they need
# (it is mostly compiling, and no test depends on it); docker/test.sh then finds it built.
nice -n 19 ./docker/test.sh --build-only > build/image-build.log 2>&1 &
image_build=$!
# A short fuzz pass the same way (scripts/fuzz.sh: every target from its corpus, ten seconds each, with
# AddressSanitizer and UndefinedBehaviorSanitizer); the long runs are bench/README.md's.
nice -n 19 ./scripts/fuzz.sh 10 > build/fuzz-pass.log 2>&1 &
fuzz_pass=$!
status=0
# The suite in an IPC namespace and a /dev/shm and /dev/mqueue of its own (as root): a queue or a file
# another program of this machine makes meanwhile cannot fail a host-clean check, and the suite's own
# cannot reach the machine's. Where that is not possible (not root, a container that refuses it) the
# suite shares the machine's, and says so.
if [ "$(id -u)" = 0 ] && unshare --ipc --mount --propagation private true 2>/dev/null; then
  (cd build && unshare --ipc --mount --propagation private sh -c \
    'mount -t tmpfs -o mode=1777 tmpfs /dev/shm && mkdir -p /dev/mqueue && mount -t mqueue mqueue /dev/mqueue &&
     exec ctest --output-on-failure --timeout 600') || status=$?
else
  echo "note: the suite shares this machine's IPC objects, /dev/shm and /dev/mqueue (not root, or no namespaces here): another program making them meanwhile can fail a host-clean check"
  (cd build && ctest --output-on-failure --timeout 600) || status=$?
fi
# A failed build is not fatal here: docker/test.sh builds again below and shows the error.
wait $image_build || true

# The container image: tested in default-security containers (the fuzz pass goes on meanwhile).
./docker/test.sh || status=1
# A class graded as a Slurm job array on a one-machine cluster, and merged (docs/cluster.md).
./tests/cluster/slurm.sh || status=1
if ! wait $fuzz_pass; then
  echo "FAILED: the fuzz pass found a crash or did not build (build/fuzz-pass.log):"
  tail -n 40 build/fuzz-pass.log
  status=1
fi

after=$(snapshot)
if [ "$before" != "$after" ]; then
  echo "FAILED: the test suite changed the host's IPC objects or left files in the temporary folder"
  echo "before:"; echo "$before"; echo "after:"; echo "$after"
  status=1
fi
if pgrep -f 'ipcgrade-test-|build/ipcgrade |tests/hostile/' >/dev/null 2>&1; then
  echo "FAILED: processes of the test suite are still running:"
  pgrep -af 'ipcgrade-test-|build/ipcgrade |tests/hostile/'
  status=1
fi
exit $status

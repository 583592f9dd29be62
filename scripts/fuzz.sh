#!/bin/sh
# Runs the fuzz targets of tests/fuzz with clang's libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer.
#   scripts/fuzz.sh [SECONDS] [TARGET...]    default: 60 seconds each, every target
# Builds into ./build-fuzz (clang-14, libfuzzer-14-dev: scripts/install-deps.sh --test). Each target starts
# from its seed corpus in tests/fuzz/corpus/TARGET and keeps what it finds in build-fuzz/corpus/TARGET; a
# crash is written to build-fuzz/crashes/TARGET/ and the script exits 1 naming it: copy the input into the
# seed corpus, where the suite replays it (Fuzz.*SeedsReplay), and fix the grader. Each run's executions
# are appended to build-fuzz/fuzz-log.txt (bench/README.md keeps the totals).
set -eu
cd "$(dirname "$0")/.."
seconds="${1:-60}"
[ $# -gt 0 ] && shift
targets="${*:-assignment trace_file gradebook message_structs decoders report symbolizer copy_tree}"

generator=""
command -v ninja >/dev/null 2>&1 && generator="-G Ninja"
# shellcheck disable=SC2086
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz $generator -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DIPCGRADE_FUZZ=ON -DIPCGRADE_TESTS=OFF >/dev/null
fuzz_targets=""
for t in $targets; do fuzz_targets="$fuzz_targets fuzz_$t"; done
# shellcheck disable=SC2086
cmake --build build-fuzz --parallel "${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" --target $fuzz_targets

status=0
for t in $targets; do
  mkdir -p "build-fuzz/corpus/$t" "build-fuzz/crashes/$t"
  out="build-fuzz/fuzz-$t.txt"
  # -rss_limit_mb: the grader's own bound on what one input may cost; leaks are the ASan report's.
  if ! ASAN_OPTIONS=detect_leaks=0 "build-fuzz/fuzz_$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
      -timeout=10 -print_final_stats=1 -artifact_prefix="build-fuzz/crashes/$t/" \
      "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t" >"$out" 2>&1; then
    echo "fuzz: $t found a crash: $(ls build-fuzz/crashes/$t | head -1) (see $out)" >&2
    status=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -1)
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $t ${seconds}s ${runs:-0} executions" | tee -a build-fuzz/fuzz-log.txt
done
exit $status

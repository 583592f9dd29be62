#!/bin/sh
# Configures and builds ipcgrade into ./build (Release with debug info, warnings as errors).
#   --grader-only  the `ipcgrade` binary alone, without the test suite (what grading needs)
# Other arguments go to CMake's configure step. Builds use CMAKE_BUILD_PARALLEL_LEVEL jobs, by default
# one per CPU.
set -eu
cd "$(dirname "$0")/.."
generator=""
command -v ninja >/dev/null 2>&1 && generator="-G Ninja"
target=""
if [ "${1:-}" = "--grader-only" ]; then
  shift
  target="--target ipcgrade"
  set -- -DIPCGRADE_TESTS=OFF "$@"
else
  set -- -DIPCGRADE_TESTS=ON "$@"
fi
# shellcheck disable=SC2086
cmake -S . -B build $generator -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIPCGRADE_WERROR=ON "$@"
# shellcheck disable=SC2086
cmake --build build --parallel "${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" $target

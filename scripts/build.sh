#!/bin/sh
# Configures and builds ipcgrade into ./build (Release with debug info, warnings as errors).
set -eu
cd "$(dirname "$0")/.."
generator=""
command -v ninja >/dev/null 2>&1 && generator="-G Ninja"
# shellcheck disable=SC2086
cmake -S . -B build $generator -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIPCGRADE_WERROR=ON "$@"
cmake --build build --parallel

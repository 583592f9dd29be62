#!/bin/sh
# Gradescope's setup step, run once in its Ubuntu/Debian base image: installs the build dependencies
# and builds ipcgrade from the sources packed next to this script (ipcgrade-src/).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
  g++ gcc make cmake pkg-config \
  libyaml-cpp-dev libspdlog-dev libfmt-dev libboost-dev libboost-filesystem-dev \
  libseccomp-dev libcli11-dev nlohmann-json3-dev libdw-dev libpugixml-dev libre2-dev
cmake -S "$here/ipcgrade-src" -B /tmp/ipcgrade-build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIPCGRADE_TESTS=OFF
cmake --build /tmp/ipcgrade-build --parallel "$(nproc)" --target ipcgrade
install -m 0755 /tmp/ipcgrade-build/ipcgrade /usr/local/bin/ipcgrade
install -m 0755 "$here/run_autograder" /autograder/run_autograder

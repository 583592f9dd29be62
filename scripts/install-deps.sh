#!/bin/sh
# Installs the Debian 12 packages that ipcgrade needs to build, test and grade (podman, runc and
# debootstrap build and test the container image of docker/; capsh, PyYAML and xmllint let the suite
# grade as a container's root would and read the exports as strict parsers do).
# Idempotent: packages already present are left alone. Run as root.
set -eu

PACKAGES="
  build-essential cmake ninja-build pkg-config make gcc g++
  libyaml-cpp-dev libspdlog-dev libfmt-dev
  libboost-dev libboost-filesystem-dev
  libgtest-dev libgmock-dev
  libseccomp-dev libcli11-dev nlohmann-json3-dev libdw-dev libpugixml-dev
  util-linux procps libcap2-bin
  python3 python3-yaml libxml2-utils
  podman runc debootstrap
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: every package is already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: these packages are missing:$missing" >&2
  echo "install-deps: run this script as root (sudo $0) to install them" >&2
  exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -q --no-install-recommends $missing

#!/bin/sh
# Installs the Debian 12 packages that ipcgrade needs to build and grade: the compiler and CMake, the
# libraries it links, clang-14, libbpf and bpftool for the BPF observer (grader/observer), and what it
# runs at grading time.
#   --test  also what the test suite needs: GoogleTest, capsh (to grade as a container's root would),
#           python3 with PyYAML and xmllint (to read the exports as strict parsers do), and podman, runc
#           and debootstrap (to build and test the container image of docker/), Chromium (the
#           browser tests render the HTML and Mermaid pictures in it), libFuzzer for clang-14
#           (scripts/fuzz.sh), and slurm-wlm with munge (tests/cluster/slurm.sh grades a class as a
#           Slurm job array on a one-machine cluster).
# Idempotent: packages already present are left alone. Run as root.
set -eu

PACKAGES="
  build-essential cmake ninja-build pkg-config make gcc g++
  libyaml-cpp-dev libspdlog-dev libfmt-dev
  libboost-dev libboost-filesystem-dev
  libseccomp-dev libcli11-dev nlohmann-json3-dev libdw-dev libpugixml-dev libre2-dev
  clang-14 libbpf-dev bpftool
  util-linux procps
"
TEST_PACKAGES="
  libgtest-dev libgmock-dev
  libcap2-bin python3 python3-yaml libxml2-utils
  podman runc debootstrap
  chromium
  libfuzzer-14-dev
  slurm-wlm munge
"

case "${1:-}" in
  --test) PACKAGES="$PACKAGES $TEST_PACKAGES" ;;
  "") ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

# The browser tests' npm packages, pinned by tests/browser/package-lock.json (Chromium's own download
# skipped: the tests drive Debian's).
browser_packages() {
  [ "${1:-}" = "--test" ] || return 0
  dir="$(dirname "$0")/../tests/browser"
  [ -d "$dir/node_modules/puppeteer-core" ] && [ -d "$dir/node_modules/mermaid" ] && return 0
  echo "install-deps: installing the browser tests' npm packages"
  (cd "$dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
}

if [ -z "$missing" ]; then
  echo "install-deps: every package is already installed"
  browser_packages "${1:-}"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: these packages are missing:$missing" >&2
  echo "install-deps: run this script as root (sudo $0 $*) to install them" >&2
  exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -q --no-install-recommends $missing
browser_packages "${1:-}"

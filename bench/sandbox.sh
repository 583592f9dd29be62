#!/bin/bash
# What making the sandbox costs: `ipcgrade run -- /bin/true` (namespaces, a root built from nothing,
# the seccomp filter, the leak audit) and its tracked mode, against bubblewrap making a comparable
# sandbox, all in one invocation with hyperfine (mean of RUNS runs after 3 warm-ups).
# Needs the Debian packages bubblewrap and hyperfine. Usage: bench/sandbox.sh [RUNS]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
for tool in bwrap hyperfine; do
  command -v "$tool" >/dev/null || { echo "sandbox.sh: needs $tool (apt-get install bubblewrap hyperfine)" >&2; exit 2; }
done
ipcgrade=$(realpath "${IPCGRADE:-./build/ipcgrade}")
hyperfine -N -w 3 -r "$runs" \
  "$ipcgrade run -- /bin/true" \
  "$ipcgrade run --isolation tracked -- /bin/true" \
  'bwrap --unshare-all --die-with-parent --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp /bin/true'

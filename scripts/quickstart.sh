#!/bin/sh
# First command of the README: install what is needed, build, and grade the bundled sample
# submissions of the message-queue homework (the solution, then a variant that leaks its queue).
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then ./scripts/install-deps.sh; else ./scripts/install-deps.sh || exit 1; fi
./scripts/build.sh
echo
echo "== ipcgrade grade assignments/msgqueue-relay assignments/msgqueue-relay/solution"
./build/ipcgrade grade assignments/msgqueue-relay assignments/msgqueue-relay/solution
echo
echo "== ipcgrade grade assignments/msgqueue-relay assignments/msgqueue-relay/variants/queue-never-removed"
# This one fails a check on purpose: exit code 1 means "graded, something failed".
./build/ipcgrade grade assignments/msgqueue-relay assignments/msgqueue-relay/variants/queue-never-removed || [ $? -eq 1 ]

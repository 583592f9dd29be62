#!/bin/sh
# First command of the README: install what building and grading need, build the grader, install it
# (/usr/local/bin/ipcgrade, samples and docs under /usr/local/share), and grade the bundled sample
# submissions of the message-queue homework (the solution, then a variant that leaks its queue).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh --grader-only
if [ "$(id -u)" -eq 0 ]; then
  cmake --install build > /dev/null
  ipcgrade=ipcgrade
  echo "quickstart: installed $(command -v ipcgrade)"
else
  ipcgrade=./build/ipcgrade
  echo "quickstart: not root, so not installed: run 'sudo cmake --install build', or use ./build/ipcgrade"
fi
echo
echo "\$ ipcgrade grade assignments/msgqueue-relay assignments/msgqueue-relay/solution"
$ipcgrade grade assignments/msgqueue-relay assignments/msgqueue-relay/solution
echo
echo "\$ ipcgrade grade assignments/msgqueue-relay assignments/msgqueue-relay/variants/queue-never-removed"
# This one fails a check on purpose: exit code 1 means "graded, something failed".
$ipcgrade grade assignments/msgqueue-relay assignments/msgqueue-relay/variants/queue-never-removed || [ $? -eq 1 ]

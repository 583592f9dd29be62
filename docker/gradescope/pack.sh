#!/bin/sh
# Packs an assignment into the zip Gradescope's autograder upload takes: the assignment's files at
# the top (they land in /autograder/source), setup.sh, run_autograder, and ipcgrade's sources.
# Usage: docker/gradescope/pack.sh ASSIGNMENT_DIR OUT.zip
set -eu
assignment=$(cd "$1" && pwd)
out=$(realpath -m "$2")
project=$(cd "$(dirname "$0")/../.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -r "$assignment/." "$stage/"
rm -rf "$stage/solution" "$stage/variants"  # the instructor's answers stay out of the image
cp "$project/docker/gradescope/setup.sh" "$project/docker/gradescope/run_autograder" "$stage/"
mkdir "$stage/ipcgrade-src"
cp -r "$project/CMakeLists.txt" "$project/grader" "$project/checks" "$stage/ipcgrade-src/"
# CMake (which building ipcgrade needs anyway) writes the zip: no python3 or zip needed.
rm -f "$out"
(cd "$stage" && cmake -E tar cf "$out" --format=zip -- .)
echo "$out"

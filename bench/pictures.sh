#!/bin/sh
# What the pictures cost: the HTML and Markdown pages of a 20,000-round-trip ping-pong over one System V
# queue (`ipcgrade run --html --markdown`), their sizes, and how long Debian's Chromium takes to open the
# page (tests/browser/check_pages.mjs: from navigation to the load event, scripts run).
#   bench/pictures.sh [ROUNDS]     # default 20000
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-20000}
out=$(mktemp -d "${TMPDIR:-/tmp}/ipcgrade-bench-XXXXXX")
trap 'rm -rf "$out"' EXIT
cc -O2 -g -o "$out/pingpong" bench/pingpong.c
./build/ipcgrade run --html "$out/page.html" --markdown "$out/page.md" -- "$out/pingpong" "$rounds" \
  > /dev/null 2> "$out/run.log" || true
html=$(stat -c %s "$out/page.html")
md=$(stat -c %s "$out/page.md")
load=$(node tests/browser/check_pages.mjs html "$out/page.html" | sed -n 's/.*"loadMs":\([0-9]*\).*/\1/p')
arrows=$(grep -o 'class="arrow' "$out/page.html" | wc -l)
printf 'rounds %s: page.html %s bytes (%s arrows drawn), page.md %s bytes; Chromium opens the page in %s ms\n' \
  "$rounds" "$html" "$arrows" "$md" "$load"

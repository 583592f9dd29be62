#!/bin/bash
# What instructors script today, for one msgqueue-relay submission: build with make, run the server
# and three clients under `timeout`, diff the outputs, compare `ipcs` before and after, and `ipcrm`
# what was left. Usage: shell_harness.sh SUBMISSION KEY [TIMEOUT]   (prints "student score")
sub=$1
key=$2
limit=${3:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$sub/." "$work"
cd "$work" || exit 1
score=0
# The assignment's two scenarios, as ipcgrade runs them: three clients with words, two with a long word.
scenario() {  # clients, word-prefix, expected-prefix
  local n=$1 word=$2 expect=$3 ok=1
  ipcs -q | awk 'NR>3 {print $1}' | sort > before
  timeout "$limit" ./server "$key" "$n" > server.out 2>&1 &
  local server=$!
  sleep 0.1  # give the server time to create its queue
  for i in $(seq 0 $((n - 1))); do
    timeout "$limit" ./client "$key" "$word$([ "$n" = 3 ] && echo "$i")" > "client$i.out" 2>&1 || true
    [ "$(cat "client$i.out")" = "$expect$([ "$n" = 3 ] && echo "$i")" ] || ok=0
  done
  wait "$server"
  ipcs -q | awk 'NR>3 {print $1}' | sort > after
  local leftovers
  leftovers=$(comm -13 before after)
  for k in $leftovers; do ipcrm -Q "$k" 2>/dev/null; done
  [ $ok = 1 ] && score=$((score + 25))
  [ -z "$leftovers" ] && score=$((score + 25))
}
if make -s > build.log 2>&1; then
  scenario 3 word WORD
  scenario 2 interprocess INTERPROCESS
fi
echo "$(basename "$sub") $score"

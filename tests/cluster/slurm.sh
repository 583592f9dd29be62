#!/bin/sh
# A class graded as a Slurm job array on a one-machine cluster, as docs/cluster.md tells an instructor:
# a task per shard (`batch --shard I/N --resume`), a merge job that waits for them all (afterany), and
# the merged gradebook compared byte for byte with the class graded by one `batch` on this machine. One
# task's grader is killed while it grades: Slurm runs the task again (the script requeues itself on any
# exit but 2), its --resume grades what was left, and the result is the same.
#
# The cluster is this machine: munged, slurmctld and slurmd started as root from a configuration in a
# temporary folder (their own ports, sockets and spool), stopped and removed at the end whatever
# happens. Where Slurm cannot start (not installed, not root), it says so in one line and skips.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${IPCGRADE:-$root/build/ipcgrade}
for tool in munged slurmctld slurmd sbatch scontrol sinfo squeue; do
  command -v "$tool" >/dev/null 2>&1 || { echo "slurm.sh: skipped: $tool is not installed (scripts/install-deps.sh --test installs slurm-wlm and munge)"; exit 0; }
done
[ "$(id -u)" = 0 ] || { echo "slurm.sh: skipped: Slurm's daemons run as root here"; exit 0; }
[ -x "$bin" ] || { echo "slurm.sh: $bin is not built" >&2; exit 1; }

work=$(mktemp -d /tmp/ipcgrade-slurm.XXXXXX)
chmod 755 "$work"
pids=""
cleanup() {
  [ -n "${SLURM_CONF:-}" ] && scancel --quiet --full --signal=KILL "--name=ipcgrade-shard" 2>/dev/null || true
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  for pid in $pids; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# munge: a key of its own, a socket of its own.
mkdir -p "$work/munge"
dd if=/dev/urandom of="$work/munge/key" bs=1024 count=1 2>/dev/null
chmod 400 "$work/munge/key"
munged --force --key-file="$work/munge/key" --socket="$work/munge/socket" \
  --pid-file="$work/munge/pid" --log-file="$work/munge/log" --seed-file="$work/munge/seed"
pids="$pids $(cat "$work/munge/pid")"

host=$(hostname -s)
mkdir -p "$work/state" "$work/spool" "$work/logs"
cat > "$work/slurm.conf" <<CONF
ClusterName=ipcgrade-test
SlurmctldHost=$host
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/logs/slurmctld.log
SlurmdLogFile=$work/logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
JobRequeue=1
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=grading Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" > "$work/logs/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -f "$SLURM_CONF" > "$work/logs/slurmd.out" 2>&1 &
pids="$pids $!"
ready=""
for _ in $(seq 1 100); do
  if sinfo -h -o '%T' 2>/dev/null | grep -q -E '^(idle|mixed)'; then ready=yes; break; fi
  sleep 0.2
done
if [ -z "$ready" ]; then
  echo "slurm.sh: skipped: Slurm did not start here ($(tail -n 1 "$work/logs/slurmctld.log" 2>/dev/null))"
  exit 0
fi

# The class: twelve copies of the message-queue sample's solution and variants.
mkdir -p "$work/class" "$work/out"
i=10
for copy in 1 2; do
  for s in "$root/assignments/msgqueue-relay/solution" "$root"/assignments/msgqueue-relay/variants/*; do
    [ $i -lt 22 ] || break
    cp -r "$s" "$work/class/s$i-$(basename "$s")"
    i=$((i + 1))
  done
done
export IPCGRADE_KEY_SECRET=0123456789abcdef0123456789abcdef
export PATH="$(dirname "$bin"):$PATH"
"$bin" batch "$root/assignments/msgqueue-relay" "$work/class" --out "$work/whole" > "$work/whole.log" 2>&1

# The scripts of docs/cluster.md, as an instructor copies them.
extract() {  # the fenced block of docs/cluster.md whose second line names the file
  awk -v name="$1" '/^```/ { if (inside) { inside = 0; if (found) exit } else { inside = 1; first = 1 } next }
    inside && first { first = 0; header = $0; next }
    inside && !found && $0 ~ ("^# " name) { found = 1; print header }
    inside && found { print }' "$root/docs/cluster.md"
}
extract grade-shard.sbatch > "$work/grade-shard.sbatch"
extract merge-class.sbatch > "$work/merge-class.sbatch"
[ -s "$work/grade-shard.sbatch" ] && [ -s "$work/merge-class.sbatch" ] || { echo "slurm.sh: the scripts are not in docs/cluster.md" >&2; exit 1; }

cd "$work"
export ASSIGNMENT="$root/assignments/msgqueue-relay" CLASS="$work/class" OUT="$work/out"
array=$(sbatch --parsable --array=0-3 --export=ALL grade-shard.sbatch)
merge=$(sbatch --parsable --dependency=afterany:"$array" --export=ALL merge-class.sbatch)

# Kill one task's grader while it grades: the first `batch --shard` that shows up.
killed=""
for _ in $(seq 1 600); do
  victim=$(pgrep -o -f -- "batch .*--shard [0-9]/4" || true)
  if [ -n "$victim" ]; then
    killed=$(tr '\0' ' ' < /proc/"$victim"/cmdline 2>/dev/null | grep -o -- '--shard [0-9]/4' || echo "pid $victim")
    kill -9 "$victim"
    break
  fi
  sleep 0.05
done

# Slurm holds a requeued task for the credential lifetime before it runs it again (AuthInfo's
# cred_expire, 120 s by default; docs/cluster.md): the test releases it as soon as it is requeued.
for _ in $(seq 1 600); do
  task=$(squeue -h -j "$array" -t PENDING -o '%i %r' 2>/dev/null | awk '$2 == "BeginTime" {print $1; exit}')
  if [ -n "$task" ]; then
    scontrol update JobId="$task" StartTime=now > /dev/null 2>&1 || true
    break
  fi
  sleep 0.1
done

# Wait for the merge job to end.
for _ in $(seq 1 1200); do
  state=$(scontrol show job "$merge" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
  case "$state" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;; esac
  sleep 0.5
done

failures=0
check() { if eval "$2"; then echo "ok   - $1"; else echo "FAIL - $1"; failures=$((failures + 1)); fi; }
check "a task's grader was killed while it graded ($killed)" '[ -n "$killed" ]'
restarts=$(scontrol show job "$array" 2>/dev/null | grep -o 'Restarts=[0-9]*' | cut -d= -f2 | sort -n | tail -n 1)
check "Slurm ran the killed task again (restarts: ${restarts:-0})" '[ "${restarts:-0}" -ge 1 ]'
check "the merge job completed after every task ($state)" '[ "$state" = COMPLETED ]'
check "the merged gradebook is the one-machine gradebook, byte for byte" \
  'cmp -s "$work/out/class/gradebook.csv" "$work/whole/gradebook.csv"'
check "the merged summary and class page are the one-machine ones" \
  'cmp -s "$work/out/class/summary.md" "$work/whole/summary.md" && cmp -s "$work/out/class/index.html" "$work/whole/index.html"'
if [ "$failures" -gt 0 ]; then
  for f in "$work"/logs/*.out "$work"/out/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
  diff "$work/whole/gradebook.csv" "$work/out/class/gradebook.csv" || true
fi
echo "slurm.sh: $((5 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]

#!/bin/sh
# Speed-up of a fixed sweep under mpirun on this machine (bench/README.md).
#
#   bench/bench_mpi.sh [BUILD_DIR]      (default build)
#
# The sweep: llm-three-tier, 6 policies x 12 loads in [0.1, 0.95], chains up
# to 2e5 states: 84 cells (72 policy cells and 12 LP bounds) whose costs
# differ by orders of magnitude (a bound takes microseconds, pop at load 0.95
# seconds).  It runs at mpirun -np 1 and -np 2; each run prints, from the
# executor (-v), every rank's cells, busy time (in eval) and wall time: the
# load-balancing efficiency is busy / wall per rank, the speed-up the ratio
# of the two wall times.  Both outputs must be the same bytes (apart from the
# provenance), or the benchmark says so.  On a shared 2-core machine the
# speed-up is bounded by the cores actually free: the load average is printed
# before each run.
set -u
B=${1:-build}
ACCQ=$B/accq
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export SOURCE_DATE_EPOCH=0
MODELS=$(cd "$(dirname "$0")/../models" && pwd)
W=$(mktemp -d /tmp/accq-bench-mpi-XXXXXX)
trap 'rm -rf "$W"' EXIT
SWEEP="sweep $MODELS/llm-three-tier.ini -p rjiq,pop,random-lp,jsq,jiq,sed
       --vary load=0.1:0.95:12 --max-states 2e5 --format json -q -v"
now() { date +%s.%N; }
for np in 1 2; do
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  t0=$(now)
  # shellcheck disable=SC2086
  mpirun --oversubscribe --bind-to none -np $np "$ACCQ" $SWEEP > "$W/np$np.json" 2> "$W/np$np.err"
  rc=$?
  t1=$(now)
  wall=$(echo "$t1 - $t0" | bc -l)
  echo "-np $np: exit $rc, wall $(printf %.2f "$wall") s (mpirun included)"
  grep '^accq: rank' "$W/np$np.err" | sed 's/^/    /'
  echo "$wall" > "$W/wall$np"
done
echo "speed-up -np 2 over -np 1: $(echo "$(cat "$W/wall1") / $(cat "$W/wall2")" | bc -l | cut -c1-5)"
if bash "$(dirname "$0")/../tests/mpi/same_bytes.sh" "$W/np1.json" "$W/np2.json"; then
  echo "outputs: the same bytes apart from the provenance"
else
  echo "outputs: DIFFER"
  exit 1
fi

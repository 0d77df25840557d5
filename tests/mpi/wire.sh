#!/bin/sh
# verify, crosscheck and golden across MPI ranks (issue 16): the output at
# mpirun -np 2 and -np 3 is byte-identical to the serial run's, and a verify
# run stopped by SIGTERM midway, rerun with its checkpoint, prints what an
# uninterrupted run prints.
#
# usage: wire.sh ACCQ MPIEXEC SOURCE_DIR CASE   (CASE: verify, crosscheck,
#        golden, verify-kill)
#
# Blanking rules: the JSON of verify and crosscheck goes through
# same_bytes.sh (the provenance object removed, nothing else) after the values
# of verify's "seconds" keys (wall times of the run and of each claim row) are
# replaced by 0; the golden file has no provenance and no timing: compared
# with cmp as it is.
set -u
ACCQ=$1
MPIEXEC=$2
SRC=$3
CASE=$4
export SOURCE_DATE_EPOCH=0
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMP_NUM_THREADS=1
W=$(mktemp -d /tmp/accq-mpiwire-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
M=$SRC/models

fail() { echo "FAIL: $*" >&2; exit 1; }

HERE=$(cd "$(dirname "$0")" && pwd)

blank() { sed -E 's/("seconds": *)[-0-9.eE+]+/\10/' "$1"; }

# same NAME FILE_A FILE_B: equal after blanking
same() {
  blank "$2" > "$W/a"
  blank "$3" > "$W/b"
  bash "$HERE/same_bytes.sh" "$W/a" "$W/b" || fail "$1: outputs differ"
  echo "ok: $1"
}

# run OUT STATUS_FILE CMD..: stdout to OUT, the exit status to STATUS_FILE
run() {
  out=$1; shift
  "$@" > "$out" 2> "$out.err"
  echo $? > "$out.rc"
}

# at NP OUT ARGS..: the command at -np NP (0: serial, no mpirun)
at() {
  np=$1; out=$2; shift 2
  if [ "$np" = 0 ]; then run "$out" "$ACCQ" "$@"
  else run "$out" "$MPIEXEC" --oversubscribe --bind-to none -np "$np" "$ACCQ" "$@"; fi
}

# three_ways NAME ARGS..: serial, -np 2, -np 3 give the same bytes and status
three_ways() {
  name=$1; shift
  at 0 "$W/s" "$@"
  [ -s "$W/s" ] || { cat "$W/s.err" >&2; fail "$name: serial printed nothing"; }
  for np in 2 3; do
    at $np "$W/p$np" "$@"
    [ "$(cat "$W/s.rc")" = "$(cat "$W/p$np.rc")" ] ||
      { cat "$W/p$np.err" >&2; fail "$name -np $np: exit $(cat "$W/p$np.rc"), serial $(cat "$W/s.rc")"; }
    same "$name -np $np" "$W/s" "$W/p$np"
  done
}

# a reduced grid: three models, claims 1 and 2, one load, one exact size, one
# simulated size, short simulations (~3 s CPU in all)
VERIFY_ARGS="verify $M/at-target.ini $M/two-tier.ini $M/nonbinding.ini --claims 1,2 --loads 0.6
        --scales 1 --sim-scales 4 --jobs 5000 --replications 4 --format json"
VERIFY="$VERIFY_ARGS -q"

case $CASE in
verify)
  three_ways verify $VERIFY
  grep -q '"verdict": "PASS"' "$W/s" || fail "verify: the reduced grid does not PASS"
  ;;
crosscheck)
  # over capacity: rjiq has no answer (a skipped cell) beside compared ones
  three_ways crosscheck crosscheck "$M/two-tier.ini" --set system.load=1.2 -p rjiq,jsq,pop,jiq \
    -r 4 -n 5000 --format json -q
  grep -q '"skipped"' "$W/s" || fail "crosscheck: no skipped policy (the case lost its point)"
  ;;
golden)
  # two models, one of them over capacity (entries that are not references,
  # with their warnings and exit status 4); the file is the output
  for np in 0 2 3; do
    at $np "$W/g$np.out" golden "$M/two-tier.ini" "$M/two-tier.ini" system.load=1.2 \
      -p jsq,rjiq,jiq --out "$W/g$np.json" -q
    [ "$(cat "$W/g$np.out.rc")" = 4 ] || { cat "$W/g$np.out.err" >&2; fail "golden -np $np: exit $(cat "$W/g$np.out.rc"), want 4"; }
  done
  for np in 2 3; do
    cmp "$W/g0.json" "$W/g$np.json" || fail "golden -np $np: the file differs from the serial one"
    echo "ok: golden -np $np"
  done
  ;;
verify-kill)
  at 0 "$W/full" $VERIFY
  [ "$(cat "$W/full.rc")" = 0 ] || fail "verify: exit $(cat "$W/full.rc")"
  CK=$W/v.ckpt
  # the serial run with a checkpoint, SIGTERM once its first model is in the
  # file: it finishes the model under way and stops (128 + 15)
  # shellcheck disable=SC2086
  "$ACCQ" $VERIFY --checkpoint "$CK" > "$W/killed" 2> "$W/killed.err" &
  pid=$!
  i=0
  while [ $i -lt 1200 ]; do
    [ -f "$CK" ] && [ "$(grep -ao CELL "$CK" | wc -l)" -ge 1 ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
    i=$((i + 1))
  done
  kill -TERM $pid 2>/dev/null
  wait $pid
  rc=$?
  [ $rc = 143 ] || { cat "$W/killed.err" >&2; fail "verify-kill: the interrupted run exited $rc, want 143 (128 + SIGTERM; 0 means it finished before the signal)"; }
  [ -s "$W/killed" ] && fail "verify-kill: the interrupted run printed a result"
  n=$(grep -ao CELL "$CK" | wc -l)
  [ "$n" -ge 1 ] && [ "$n" -lt 3 ] || fail "verify-kill: $n of 3 cells in the checkpoint (want 1 or 2)"
  # the rerun resumes: the cells in the file are not recomputed (without -q,
  # which would hide the note that says so)
  # shellcheck disable=SC2086
  run "$W/resumed" "$ACCQ" $VERIFY_ARGS --checkpoint "$CK"
  [ "$(cat "$W/resumed.rc")" = 0 ] || { cat "$W/resumed.err" >&2; fail "verify-kill: the rerun exited $(cat "$W/resumed.rc")"; }
  grep -q "$n of 3 cells from the checkpoint" "$W/resumed.err" ||
    { cat "$W/resumed.err" >&2; fail "verify-kill: the rerun did not say it resumed $n cells"; }
  same "verify killed and resumed" "$W/full" "$W/resumed"
  # resumed under mpirun -np 2 from the complete checkpoint: nothing left to compute
  at 2 "$W/again" $VERIFY --checkpoint "$CK"
  same "verify resumed at -np 2" "$W/full" "$W/again"
  ;;
*)
  fail "unknown case '$CASE'"
  ;;
esac

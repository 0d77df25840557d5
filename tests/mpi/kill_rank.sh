#!/bin/bash
# kill_rank.sh ACCQ MPIEXEC SOURCE_DIR: a rank that dies midway (docs/output.md,
# Checkpoints).  `mpirun -np 3 accq sweep ... --checkpoint F`; once 3 cells are
# in F, SIGTERM to rank 1's process.  The job fails (mpirun's non-zero
# status, naming the process), prints no output; rank 0 said at the start how
# to resume from F (its words when mpirun kills it may be lost: not checked);
# the rerun with -np 2 and the same F completes with the output of an
# uninterrupted serial run, byte for byte (same_bytes.sh).
set -u
accq=$1 mpiexec=$2 src=$3
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
export SOURCE_DATE_EPOCH=0
fail() { echo "FAIL: $*" >&2; exit 1; }
records() { grep -ao CELL "$1" 2>/dev/null | wc -l; }
args=(sweep "$src/models/two-tier.ini" --simulate --policy jsq,jiq --vary load=0.5:0.8:6
      --jobs 300000 --replications 2 --format json)
ck=$dir/run.ckpt
"$accq" "${args[@]}" > "$dir/ref.json" 2> "$dir/ref.err" || fail "the serial run: $(cat "$dir/ref.err")"

"$mpiexec" --oversubscribe --bind-to none -np 3 "$accq" "${args[@]}" --checkpoint "$ck" \
  > "$dir/one.json" 2> "$dir/one.err" &
pid=$!
for _ in $(seq 600); do
  [ "$(records "$ck")" -ge 3 ] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.05
done
victim=
for p in $(pgrep -P $pid); do
  r=$(tr '\0' '\n' < /proc/$p/environ 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
  [ "$r" = 1 ] && victim=$p
done
[ -n "$victim" ] || fail "no rank 1 process under mpirun $pid (finished too early?)"
kill -TERM "$victim"
wait $pid
rc=$?
pid=
n=$(records "$ck")
echo "rank 1 killed: mpirun exit $rc, $n of 18 cells in the checkpoint"
[ "$rc" != 0 ] || fail "mpirun exit 0 although a rank died"
[ ! -s "$dir/one.json" ] || fail "a failed run printed output"
grep -q "3 ranks, checkpoint $ck: if the job stops before the end (a rank dies, a time limit), rerun the same command" \
  "$dir/one.err" || fail "no resume message from rank 0: $(cat "$dir/one.err")"
grep -q "exited with non-zero status" "$dir/one.err" || fail "no message from mpirun: $(cat "$dir/one.err")"
[ "$n" -lt 18 ] || fail "every cell was done before the kill (too fast to test)"

"$mpiexec" --oversubscribe --bind-to none -np 2 "$accq" "${args[@]}" --checkpoint "$ck" \
  > "$dir/two.json" 2> "$dir/two.err" || fail "the resumed run: $(cat "$dir/two.err")"
grep -q "of 18 cells from the checkpoint" "$dir/two.err" || fail "resume not reported: $(cat "$dir/two.err")"
bash "$here/same_bytes.sh" "$dir/ref.json" "$dir/two.json" || fail "the resumed output differs"
echo "ok"

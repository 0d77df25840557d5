#!/bin/bash
# kill_serial.sh ACCQ SOURCE_DIR: a resumable serial sweep (docs/output.md,
# Checkpoints).
#  1. SIGTERM midway (after 3 of 18 cells are in the checkpoint): the run
#     finishes its current cell and stops with exit 143, no output, the
#     message naming the checkpoint; some cells are left.
#  2. The last record torn (the file cut 7 bytes short, as a crash mid-write
#     leaves it): the rerun drops it, says so, and completes with the output
#     of an uninterrupted run byte for byte (same_bytes.sh).
#  3. A third run computes nothing (every cell from the checkpoint).
#  4. Another --seed with the same file: refused, exit 2, both runs named.
#  5. A file that is not a checkpoint: refused, exit 2, the file untouched.
set -u
accq=$1 src=$2
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
pid=
export SOURCE_DATE_EPOCH=0
fail() { echo "FAIL: $*" >&2; exit 1; }
records() { grep -ao CELL "$1" 2>/dev/null | wc -l; }
args=(sweep "$src/models/two-tier.ini" --simulate --policy jsq,jiq --vary load=0.5:0.8:6
      --jobs 300000 --replications 2 --format json)
ck=$dir/run.ckpt

"$accq" "${args[@]}" > "$dir/ref.json" 2> "$dir/ref.err" || fail "the uninterrupted run: $(cat "$dir/ref.err")"

# 1. SIGTERM midway
"$accq" "${args[@]}" --checkpoint "$ck" > "$dir/one.json" 2> "$dir/one.err" &
pid=$!
for _ in $(seq 600); do
  [ "$(records "$ck")" -ge 3 ] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.05
done
kill -TERM $pid 2>/dev/null || fail "the run ended before the signal (too fast to test)"
wait $pid
rc=$?
pid=
n=$(records "$ck")
echo "interrupted: exit $rc, $n of 18 cells in the checkpoint"
[ "$rc" = 143 ] || fail "exit $rc after SIGTERM (want 143): $(cat "$dir/one.err")"
[ ! -s "$dir/one.json" ] || fail "an interrupted run printed output"
grep -q "interrupted (signal 15): $n of 18 cells are in the checkpoint" "$dir/one.err" ||
  fail "no interruption message: $(cat "$dir/one.err")"
[ "$n" -ge 3 ] && [ "$n" -lt 18 ] || fail "$n cells in the checkpoint (want 3..17)"

# 2. a torn last record, then the rerun
size=$(stat -c %s "$ck")
truncate -s $((size - 7)) "$ck"
"$accq" "${args[@]}" --checkpoint "$ck" > "$dir/two.json" 2> "$dir/two.err" ||
  fail "the resumed run: $(cat "$dir/two.err")"
grep -q "dropped a torn last record" "$dir/two.err" || fail "torn record not reported: $(cat "$dir/two.err")"
grep -q "$((n - 1)) of 18 cells from the checkpoint" "$dir/two.err" ||
  fail "want $((n - 1)) cells resumed: $(cat "$dir/two.err")"
bash "$here/same_bytes.sh" "$dir/ref.json" "$dir/two.json" || fail "resumed output differs"

# 3. everything from the checkpoint
"$accq" "${args[@]}" --checkpoint "$ck" > "$dir/three.json" 2> "$dir/three.err" || fail "third run"
grep -q "18 of 18 cells from the checkpoint" "$dir/three.err" || fail "third run: $(cat "$dir/three.err")"
bash "$here/same_bytes.sh" "$dir/ref.json" "$dir/three.json" || fail "third output differs"

# 4. another identity
"$accq" "${args[@]}" --seed 2 --checkpoint "$ck" > "$dir/four.json" 2> "$dir/four.err"
rc=$?
[ "$rc" = 2 ] || fail "a checkpoint of another seed: exit $rc (want 2)"
grep -q "checkpoint was written by accq sweep (model hash .*, options hash .*), this run is accq sweep" \
  "$dir/four.err" || fail "refusal message: $(cat "$dir/four.err")"
[ ! -s "$dir/four.json" ] || fail "a refused run printed output"

# 5. not a checkpoint
cp "$src/models/two-tier.ini" "$dir/model.ini"
"$accq" "${args[@]}" --checkpoint "$dir/model.ini" > /dev/null 2> "$dir/five.err"
rc=$?
[ "$rc" = 2 ] || fail "a model file as the checkpoint: exit $rc (want 2)"
grep -q "not an accq checkpoint" "$dir/five.err" || fail "message: $(cat "$dir/five.err")"
cmp -s "$src/models/two-tier.ini" "$dir/model.ini" || fail "the file given as checkpoint was changed"
echo "ok"

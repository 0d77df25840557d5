#!/bin/bash
# ranks.sh ACCQ MPIEXEC ARGS...: `accq ARGS --format json` serially (no
# launcher: MPI is never started) and under `MPIEXEC --oversubscribe -np N`
# for N = 1, 2, 3 (-np 2 also with --threads 2: blocks of replications).  Every
# output must be the serial one byte for byte apart from the provenance
# (same_bytes.sh), with the same exit status.
set -u
accq=$1 mpiexec=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export SOURCE_DATE_EPOCH=0
"$accq" "$@" --format json > "$dir/serial.json" 2> "$dir/serial.err"
want=$?
echo "serial: exit $want, $(wc -c < "$dir/serial.json") bytes"
fail=0
run() { # name, extra args, -np
  local name=$1 np=$2
  shift 2
  "$mpiexec" --oversubscribe --bind-to none -np "$np" "$accq" "$@" --format json \
    > "$dir/$name.json" 2> "$dir/$name.err"
  local rc=$?
  echo "$name: exit $rc"
  if [ "$rc" != "$want" ]; then
    echo "FAIL: $name exits $rc, the serial run $want" >&2
    cat "$dir/$name.err" >&2
    fail=1
  fi
  if ! bash "$here/same_bytes.sh" "$dir/serial.json" "$dir/$name.json"; then
    echo "FAIL: $name's output differs from the serial output" >&2
    fail=1
  fi
}
run np1 1 "$@"
run np2 2 "$@" --threads 2
run np3 3 "$@"
exit $fail

#!/usr/bin/env bash
# libFuzzer runs of the accq parsers (clang 14+, libclang-rt-dev).
#   bash fuzz/run.sh model|cli [SECONDS]   fuzz for SECONDS (default 900)
#   bash fuzz/run.sh merge                 minimize the work corpora into fuzz/corpus
# Targets: fuzz_model (model text + --set overrides: accq_model_parse_string,
# accq_model_set, format/parse round trip) and fuzz_cli (argv: accq_cli_parse,
# --vary, --format, number lists).  Work corpora live in build-fuzz/work/;
# crashes are written to build-fuzz/work/crash-*.  The committed corpus
# (fuzz/corpus/) is replayed by CTest in every build (fuzz/model_corpus,
# fuzz/cli_corpus), so a fixed crash stays fixed: add its input there.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-model}
secs=${2:-900}
b=build-fuzz
if [ ! -x $b/fuzz/fuzz_model ] || [ ! -x $b/fuzz/fuzz_cli ]; then
  CC=clang cmake -S . -B $b -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACCQ_FUZZ=ON \
    -DACCQ_BUILD_TESTS=OFF >/dev/null
fi
cmake --build $b -j 2 --target fuzz_model fuzz_cli >/dev/null
mkdir -p $b/work/model $b/work/cli
case "$what" in
  model|cli)
    max_len=4096
    [ "$what" = cli ] && max_len=1024
    # -close_fd_mask=3: the targets print usage errors; libFuzzer keeps its own output
    exec $b/fuzz/fuzz_$what -max_total_time="$secs" -close_fd_mask=3 -max_len=$max_len \
      -dict=fuzz/$what.dict -artifact_prefix=$b/work/crash-$what- \
      $b/work/$what fuzz/corpus/$what
    ;;
  merge)
    # edge coverage only (-use_counters=0) keeps the committed corpus small
    for t in model cli; do
      mkdir -p $b/work/merged-$t
      $b/fuzz/fuzz_$t -merge=1 -use_counters=0 -close_fd_mask=3 $b/work/merged-$t \
        fuzz/corpus/$t $b/work/$t
      echo "fuzz: $t: $(ls $b/work/merged-$t | wc -l) files in $b/work/merged-$t" \
           "(replace fuzz/corpus/$t with them, keeping the regress-* files)" >&2
    done
    ;;
  *)
    echo "usage: bash fuzz/run.sh model|cli [SECONDS] | merge" >&2
    exit 2
    ;;
esac

#!/bin/bash
# usage: run.sh BIN_DIR CASES_DIR WEIGHTS — runs `antidote detox` on every case that make.py wrote (WEIGHTS: any small-cnn
# 1x28x28, 10-class weights file, e.g. a run folder's model.weights); one Markdown row per case:
# case | exit | seconds | peak MB | stderr lines | first stderr line (control characters shown by cat -v)
BIN=$1; C=$2; OUT=$(mktemp -d)
W=$3
cp $W $OUT/theirs.weights
base="--model small-cnn --classes 10 --input 1x28x28 --d3-epochs 1 --d3-min-steps 0 --threads 1"
run() { local name=$1; shift
  /usr/bin/time -f "%e %M" -o $OUT/time timeout -s KILL 60 dotnet $BIN/antidote.dll detox $base "$@" > $OUT/stdout 2> $OUT/stderr; rc=$?
  read secs kb < <(tail -1 $OUT/time)
  printf "| %s | %s | %s | %d | %s | %s |\n" "$name" "$rc" "$secs" "$((kb/1024))" "$(grep -c . $OUT/stderr) line(s)" "$(head -1 $OUT/stderr | cut -c1-150 | cat -v)"; }
for f in selfref10 emptylists zip30 stride0 views400 dots long60m overflow emptyoffset bigstorage escape duplicate fifo; do
  run $f --weights $C/$f.pth --clean $C/clean --out $OUT/o-$f
done
run clean-loops --weights $OUT/theirs.weights --clean $C/clean-loops --out $OUT/o-loops
run clean-fifo --weights $OUT/theirs.weights --clean $C/clean-fifo --out $OUT/o-fifo
run clean-proc --weights $OUT/theirs.weights --clean $C/clean-proc --out $OUT/o-proc
mkdir -p $OUT/o-dir/theirs.d3.weights
run output-is-folder --weights $OUT/theirs.weights --clean $C/clean --out $OUT/o-dir
run output-is-input --weights $OUT/theirs.weights --clean $C/clean --out $OUT --name theirs --force
run module-missing --weights $OUT/theirs.weights --clean $C/clean --out $OUT/o-mod --d3-module nosuchlayer
ls $OUT | grep -v "^o-\|time\|std\|theirs" ; find $OUT -name "*.tmp-*" | head -3
rm -rf $OUT

#!/bin/sh
# run.sh DIR TARGET SECONDS SCRATCH -- one bounded libFuzzer run of
# DIR/fuzz_TARGET, on SCRATCH (a working corpus seeded from the committed
# tests/fuzz/corpus/TARGET, which is never written to).  Crash inputs go
# to DIR/artifacts/TARGET/.  Prints one summary line; on a crash prints
# the end of the log and exits 1.
set -eu
dir=$1
t=$2
secs=$3
scratch=$4
bin=$dir/fuzz_$t
art=$dir/artifacts/$t
log=$dir/fuzz_$t.log

mkdir -p "$scratch" "$art"
if [ -d "tests/fuzz/corpus/$t" ]; then
	cp -n "tests/fuzz/corpus/$t"/* "$scratch"/ 2>/dev/null || true
fi
if ! ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1" \
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
	"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=5 \
	-artifact_prefix="$art/" -print_final_stats=1 "$scratch" >"$log" 2>&1; then
	tail -n 80 "$log" >&2
	echo "fuzz: $t FAILED -- reproducer in $art/, full log $log" >&2
	echo "      (tests/fuzz/README.md: turning a crash into a regression test)" >&2
	exit 1
fi
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
echo "fuzz: $t ok: ${execs:-?} executions in ${secs} s, corpus $(ls "$scratch" | wc -l) inputs"

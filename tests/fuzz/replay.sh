#!/bin/sh
# replay.sh DIR -- runs every input kept in tests/fuzz/regressions/TARGET/
# once through DIR/fuzz_TARGET (dot files skipped).  Exits 1 if any of them
# crashes, leaks or breaks an invariant.
set -eu
dir=$1
status=0
kept=0
for d in tests/fuzz/regressions/*/; do
	[ -d "$d" ] || continue
	t=$(basename "$d")
	files=$(find "$d" -type f ! -name '.*' | sort)
	[ -n "$files" ] || continue
	n=$(echo "$files" | wc -l)
	kept=$((kept + n))
	# shellcheck disable=SC2086
	if ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1" \
		UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
		"$dir/fuzz_$t" -rss_limit_mb=2048 -timeout=5 $files >"$dir/replay_$t.log" 2>&1; then
		echo "fuzz: $t regressions ok ($n inputs)"
	else
		tail -n 80 "$dir/replay_$t.log" >&2
		echo "fuzz: $t regression FAILED (log $dir/replay_$t.log)" >&2
		status=1
	fi
done
[ $kept -gt 0 ] || echo "fuzz: no regression inputs kept (tests/fuzz/regressions/<target>/)"
exit $status

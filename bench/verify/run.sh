#!/bin/sh
# Verifier benchmark (issue 3): builds the generator and the raw Ed25519
# baseline against build/libcore.a, writes a synthetic record of VOTERS
# voters (default 100000) into build/bench/, then times ngo-vote-verify
# (wall clock and peak RSS) and bare signature verification on one core,
# and prints the ratio.  Run from the repository root: sh bench/verify/run.sh
set -eu
VOTERS=${1:-100000}
B=build/bench
mkdir -p "$B"
make --no-print-directory build/libcore.a build/ngo-vote-verify >/dev/null
CFLAGS="-std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Iserver -Ibench $(pkg-config --cflags libsodium jansson)"
LIBS="$(pkg-config --libs jansson libsodium)"
cc $CFLAGS -o "$B/gen_record" bench/verify/gen_record.c bench/synthetic.c build/libcore.a $LIBS
cc $CFLAGS -o "$B/raw_verify" bench/verify/raw_verify.c $LIBS

REC="$B/record-$VOTERS.jsonl"
if [ ! -s "$REC" ]; then
	echo "generating $REC ..."
	"$B/gen_record" "$REC" "$VOTERS"
fi
BALLOTS=$(grep -c '"type":"ballot"' "$REC")
echo "record: $(du -h "$REC" | cut -f1), $BALLOTS ballot events, longest line $(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$REC") bytes"

# Verifier: wall time and peak RSS.
if [ -x /usr/bin/time ]; then
	/usr/bin/time -v build/ngo-vote-verify "$REC" >"$B/verify.out" 2>"$B/verify.time" || {
		echo "verifier FAILED:"; cat "$B/verify.out"; exit 1; }
	WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$B/verify.time")
	RSS=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$B/verify.time")
else
	echo "/usr/bin/time missing: install the 'time' package" >&2
	exit 2
fi
# The one-time manifest phase alone (header, manifest, open): its cost is the
# Ed25519 registration check of every voter key (spec §5).
head -n 3 "$REC" >"$B/manifest-only.jsonl"
/usr/bin/time -v build/ngo-vote-verify "$B/manifest-only.jsonl" >/dev/null 2>"$B/manifest.time" || true
MWALL=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$B/manifest.time")
# Baseline: bare verification of the same number of signatures.
RAW=$("$B/raw_verify" "$BALLOTS")
RAW_S=$(echo "$RAW" | cut -d' ' -f2)
RAW_RATE=$(echo "$RAW" | cut -d' ' -f3)

awk -v b="$BALLOTS" -v mw="$MWALL" -v w="$WALL" -v r="$RAW_RATE" -v rs="$RAW_S" -v rss="$RSS" 'BEGIN {
	rate = b / w
	printf "ngo-vote-verify : %d ballots in %.2f s = %.0f ballots/s, peak RSS %.1f MiB\n", b, w, rate, rss / 1024
	printf "raw Ed25519     : %d verifications in %.2f s = %.0f /s (one core)\n", b, rs, r
	printf "ratio (end to end)   : %.1f%% of the raw signature-verification rate\n", 100 * rate / r
	printf "manifest phase       : %.2f s (validating every voter key, one-time)\n", mw
	printf "ratio (ballot stream): %.1f%% (ballots / (total - manifest phase))\n", 100 * (b / (w - mw)) / r
}'

#!/bin/sh
# Secret-ballot benchmark (issue 8): our verifier and our ballot encryption
# next to Belenios 2.0 on the same election shape (6 contests x 5
# candidates, 0..2 selections, 3 trustees).  Run from the repository root:
#
#   sh bench/secret/run.sh [VOTERS]        # or: make bench-secret
#
# 1. builds build/libcore.a and build/ngo-vote-verify (make) and
#    bench/secret/gen_secret_record.c against the core (cc);
# 2. writes build/bench/secret-VOTERS.jsonl (default 10,000 voters, one
#    ballot each, the whole ceremony, tally, decryption and result) if it is
#    missing, and build/bench/secret-200.jsonl (the size of the Belenios run);
# 3. times build/ngo-vote-verify on each with /usr/bin/time -v (wall clock,
#    user+sys CPU, peak RSS); any exit status but 0 fails the run;
# 4. times encryption in Node with the voting page's code (encrypt.mjs);
# 5. runs bench/secret/belenios.sh (BELENIOS_BALLOTS, default 200);
# 6. prints one summary, per ballot, ours next to Belenios's.
#
# Environment: SKIP_BELENIOS=1 (no Belenios run), BELENIOS_RESULTS=FILE (take
# the belenios.* lines of an earlier belenios.sh run from FILE instead of
# running it), BELENIOS_BALLOTS (default 200), ENCRYPT_N (Node ballots,
# default 50).  A record already in build/bench/ is reused: delete it to
# build it again (its generator output, with the C build time, is kept
# beside it as .gen).
set -eu
VOTERS=${1:-10000}
BELENIOS_BALLOTS=${BELENIOS_BALLOTS:-200}
ENCRYPT_N=${ENCRYPT_N:-50}
B=build/bench
mkdir -p "$B"
case $VOTERS in '' | *[!0-9]* | 0) echo "VOTERS must be a positive integer: $VOTERS" >&2; exit 2 ;; esac
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing: install the 'time' package" >&2; exit 2; }
command -v node >/dev/null 2>&1 || { echo "node missing: make deps" >&2; exit 2; }
sh deploy/vendor-noble.sh --check || sh deploy/vendor-noble.sh
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

log "load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
make --no-print-directory build/libcore.a build/ngo-vote-verify >/dev/null
CFLAGS="-std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Iserver -Ibench $(pkg-config --cflags libsodium jansson)"
LIBS="$(pkg-config --libs jansson libsodium)"
cc $CFLAGS -pthread -o "$B/gen_secret_record" bench/secret/gen_secret_record.c bench/synthetic.c build/libcore.a $LIBS

# gen V: writes $B/secret-V.jsonl (and .gen) unless present.
gen() {
	_rec=$B/secret-$1.jsonl
	if [ ! -s "$_rec" ] || [ ! -s "$_rec.gen" ]; then
		log "generating $_rec ($1 ballots, 2 threads) ..."
		"$B/gen_secret_record" "$_rec.tmp" "$1" >"$_rec.gen.tmp"
		mv "$_rec.tmp" "$_rec"
		mv "$_rec.gen.tmp" "$_rec.gen"
	fi
	cat "$_rec.gen" >&2
}

# verify V: times the verifier on $B/secret-V.jsonl; prints
# "ballots wall_s cpu_s rss_kib bytes".
verify() {
	_rec=$B/secret-$1.jsonl
	log "ngo-vote-verify $_rec ..."
	/usr/bin/time -v build/ngo-vote-verify "$_rec" >"$B/secret-$1.verify.out" 2>"$B/secret-$1.verify.time" || {
		echo "verifier FAILED on $_rec:" >&2
		cat "$B/secret-$1.verify.out" "$B/secret-$1.verify.time" >&2
		exit 1
	}
	grep -q '^Record VERIFIED' "$B/secret-$1.verify.out" || { echo "verifier did not report VERIFIED" >&2; exit 1; }
	_ballots=$(grep -c '"type":"ballot"' "$_rec")
	awk -F': ' -v b="$_ballots" -v bytes="$(wc -c <"$_rec")" '
		/Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
		/User time \(seconds\)/ { u = $2 }
		/System time \(seconds\)/ { s = $2 }
		/Maximum resident set size/ { r = $2 }
		END { printf "%d %.2f %.2f %d %d\n", b, w, u + s, r, bytes }' "$B/secret-$1.verify.time"
}

gen "$VOTERS"
C_BUILD=$(awk '/^ours.c_build_ms_per_ballot/ { print $2 }' "$B/secret-$VOTERS.jsonl.gen")
OURS=$(verify "$VOTERS")
if [ "$VOTERS" != "$BELENIOS_BALLOTS" ]; then
	gen "$BELENIOS_BALLOTS"
	SMALL=$(verify "$BELENIOS_BALLOTS")
else
	SMALL=$OURS
fi

log "encryption in Node ($ENCRYPT_N ballots) ..."
node bench/secret/encrypt.mjs "$B/secret-$VOTERS.jsonl" "$ENCRYPT_N" >"$B/secret-encrypt.out"
cat "$B/secret-encrypt.out" >&2
NODE_ENC=$(awk '/^ours.node_encrypt_ms_per_ballot/ { print $2 }' "$B/secret-encrypt.out")
NODE_WALL=$(awk '/^ours.node_encrypt_wall_median_ms/ { print $2 }' "$B/secret-encrypt.out")

BEL=$B/secret-belenios.out
if [ -n "${BELENIOS_RESULTS:-}" ]; then
	log "Belenios figures from $BELENIOS_RESULTS (not run)"
	grep '^belenios\.' "$BELENIOS_RESULTS" >"$BEL"
elif [ "${SKIP_BELENIOS:-0}" = 1 ]; then
	log "Belenios skipped (SKIP_BELENIOS=1)"
	: >"$BEL"
else
	log "Belenios 2.0, $BELENIOS_BALLOTS ballots (bench/secret/belenios.sh) ..."
	sh bench/secret/belenios.sh "$BELENIOS_BALLOTS" >"$BEL.tmp" || { cat "$BEL.tmp" >&2; exit 1; }
	grep -v '^belenios\.' "$BEL.tmp" >&2 || true
	grep '^belenios\.' "$BEL.tmp" >"$BEL"
	rm -f "$BEL.tmp"
fi
bel() { awk -v k="belenios.$1" '$1 == k { print $2; f = 1 } END { if (!f) print "" }' "$BEL"; }

# ---- summary ---------------------------------------------------------------
echo
echo "== secret-ballot benchmark (issue 8): 6 contests x 5 candidates, 0..2 selections, 3 trustees =="
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
awk -v ours="$OURS" -v small="$SMALL" -v cb="$C_BUILD" -v ne="$NODE_ENC" -v nw="$NODE_WALL" \
    -v bb="$(bel ballots)" -v bvw="$(bel verify_ms_per_ballot)" -v bvc="$(bel verify_cpu_ms_per_ballot)" \
    -v bcw="$(bel create_ms_per_ballot)" -v bcc="$(bel create_cpu_ms_per_ballot)" \
    -v bj="$(bel jobs)" -v bsz="$(bel ballot_bytes_avg)" -v bar="$(bel archive_bytes)" -v bver="$(bel version)" 'BEGIN {
	split(ours, o, " "); split(small, s, " ")
	n = o[1]; ow = 1000 * o[2] / n; oc = 1000 * o[3] / n
	sn = s[1]; sw = 1000 * s[2] / sn; sc = 1000 * s[3] / sn
	have = bvw != ""
	printf "ours    : ngo-vote-verify, %d ballots: %.1f s wall, %.1f s CPU (user+sys), peak RSS %.1f MiB; record %.1f MB (%.1f KB per ballot)\n",
		n, o[2], o[3], o[4] / 1024, o[5] / 1e6, o[5] / n / 1e3
	printf "          the same on %d ballots: %.1f s wall, %.1f s CPU, peak RSS %.1f MiB\n", sn, s[2], s[3], s[4] / 1024
	if (have)
		printf "Belenios: belenios-tool %s, %d ballots; archive %.1f MB (%.1f KB per ballot), ballot %.1f KB\n",
			bver, bb, bar / 1e6, bar / bb / 1e3, bsz / 1e3
	else
		printf "Belenios: not run (SKIP_BELENIOS=1)\n"
	printf "\n%-46s %14s %14s\n", "per ballot", "ours", (have ? "Belenios 2.0" : "")
	printf "%-46s %11.1f ms %11s\n", "verify, CPU (user+sys) / ballots", oc, (have ? sprintf("%.1f ms", bvc) : "-")
	printf "%-46s %11.1f ms %11s\n", "verify, wall / ballots", ow, (have ? sprintf("%.1f ms", bvw) : "-")
	printf "%-46s %11.1f ms %11s\n", sprintf("verify, CPU / ballots, %d-ballot record", sn), sc, "(same size)"
	printf "%-46s %11.1f ms %11s\n", "ballot creation, CPU (ours: Node, page code)", ne, (have ? sprintf("%.1f ms", bcc) : "-")
	printf "%-46s %11.1f ms %11s\n", "ballot creation, wall (ours: Node, median)", nw,
		(have ? sprintf("%.1f ms", bcw) : "-")
	if (have) printf "%-46s %14s %14s\n", "", "", sprintf("(%d jobs: wall/V)", bj)
	printf "%-46s %11.1f ms\n", "ballot creation in C (core, CPU, one thread)", cb
	printf "%-46s %11.1f KB %11s\n", "record bytes / ballots", o[5] / n / 1e3, (have ? sprintf("%.1f KB", bar / bb / 1e3) : "-")
	if (have) {
		r = bvc / oc; rw = bvw / ow; r2 = bvc / sc
		printf "\nratio (verify CPU per ballot, Belenios / ours): %.1fx (%d-ballot record: %.1fx; wall: %.1fx); target >= 5x: %s\n",
			r, sn, r2, rw, (r >= 5 ? "met" : "MISSED")
	}
	printf "\nours.verify_ballots %d\nours.verify_s %.2f\nours.verify_cpu_s %.2f\n", n, o[2], o[3]
	printf "ours.verify_ms_per_ballot %.2f\nours.verify_cpu_ms_per_ballot %.2f\n", ow, oc
	printf "ours.verify_small_cpu_ms_per_ballot %.2f\nours.verify_peak_rss_kib %d\nours.record_bytes %d\n", sc, o[4], o[5]
	printf "ours.c_build_ms_per_ballot %s\nours.node_encrypt_ms_per_ballot %s\nours.node_encrypt_wall_median_ms %s\n", cb, ne, nw
	if (have) printf "ratio.verify_cpu %.2f\nratio.verify_wall %.2f\n", r, rw
}'
cat "$BEL"

#!/bin/sh
# Load benchmark (issue 7).  Builds the daemon, the verifier, bench/load/loadgen.c
# and bench/load/mhd_min.c, then runs loadgen, which seeds N NGOs, opens an
# election through the API, casts pre-signed ballots over keep-alive
# connections, checks them after a SIGKILL + restart, verifies the record,
# and measures a bare libmicrohttpd responder as the ceiling.
#
# Run from the repository root:   sh bench/load/run.sh [loadgen options]
#   (or: make bench-load BENCH_ARGS="--conns 64")
# Options: --ngos N (10000) --conns C (64) --seqs S (1) --threads T (4, the
#          daemon's default) --no-verify.  BUILD=dir selects the build folder.
set -eu
BUILD=${BUILD:-build}
B="$BUILD/bench/load"
mkdir -p "$B"
make --no-print-directory BUILD="$BUILD" "$BUILD/ngo-voted" "$BUILD/ngo-vote-verify" \
	"$BUILD/libcore.a" >/dev/null
CFLAGS="-std=c11 -O2 -g -D_GNU_SOURCE -Iserver -Wall -Wextra"
cc $CFLAGS $(pkg-config --cflags jansson libsodium sqlite3 libcurl) -o "$B/loadgen" \
	bench/load/loadgen.c "$BUILD/libcore.a" \
	$(pkg-config --libs jansson libsodium sqlite3 libcurl)
cc $CFLAGS $(pkg-config --cflags libmicrohttpd) -o "$B/mhd_min" bench/load/mhd_min.c \
	$(pkg-config --libs libmicrohttpd)
REV="not a git checkout"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	REV="commit $(git rev-parse --short HEAD)"
	git diff --quiet HEAD -- server || REV="$REV (server/ has uncommitted changes)"
fi
echo "machine: $(nproc) cores, $(uname -r); $REV; load average $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$B/loadgen" --build "$BUILD" --mhd "$B/mhd_min" --dir "$B/run" "$@"

#!/bin/sh
# Belenios half of the secret-ballot benchmark (issue 8).
#
# Runs one complete Belenios 2.0 election with Debian 12's belenios-tool, in
# a temporary folder, of the same shape as ours: group BELENIOS-2048, 6
# questions x 5 answers, 0..2 selections each, 3 trustees, V ballots
# (default 200; first argument or BELENIOS_BALLOTS).  Every voter's choices
# are random but valid.  It times (wall clock, and user+sys CPU through
# /usr/bin/time, children included) ballot creation, `archive add-event` of
# the ballots, the encrypted tally, each trustee's partial decryption,
# compute-result and `election verify`, checks that the published result
# equals the sum of the choices it made (fails loudly otherwise), and ends
# with a machine-readable summary, one `key value` per line.
#
# Run as root on Debian 12 (it installs belenios-tool with apt if missing):
#   sh bench/secret/belenios.sh [V]
# Environment: BELENIOS_BALLOTS (V), BELENIOS_JOBS (parallel ballot
# creators, default 2, at most 2), BELENIOS_SEED (choices; default from the
# clock), BELENIOS_KEEP=1 (keep the election folder).
set -eu

V=${1:-${BELENIOS_BALLOTS:-200}}
JOBS=${BELENIOS_JOBS:-2}
SEED=${BELENIOS_SEED:-$(date +%s)}
GROUP=BELENIOS-2048
NQ=6 NA=5 QMAX=2 NT=3

case $V in '' | *[!0-9]*) echo "ballots must be a positive integer: $V" >&2; exit 2 ;; esac
[ "$V" -ge 1 ] || { echo "ballots must be at least 1" >&2; exit 2; }
case $JOBS in 1 | 2) ;; *) echo "BELENIOS_JOBS must be 1 or 2" >&2; exit 2 ;; esac
[ "$JOBS" -le "$V" ] || JOBS=$V

# --- tools -------------------------------------------------------------
need_apt=
command -v belenios-tool >/dev/null 2>&1 || need_apt="$need_apt belenios-tool"
[ -x /usr/bin/time ] || need_apt="$need_apt time"
if [ -n "$need_apt" ]; then
	echo "installing:$need_apt (apt-get)" >&2
	[ "$(id -u)" = 0 ] || { echo "not root: apt-get install$need_apt first" >&2; exit 2; }
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_apt >&2
fi
TOOL_VERSION=$(belenios-tool --version)
PKG_VERSION=$(dpkg-query -W -f '${Version}' belenios-tool 2>/dev/null || echo unknown)
case $TOOL_VERSION in
2.0*) ;;
*) echo "warning: belenios-tool $TOOL_VERSION, this script follows the 2.0 workflow" >&2 ;;
esac

# Belenios reads /dev/random by default, which can block on a VM.
BELENIOS_USE_URANDOM=1
export BELENIOS_USE_URANDOM

W=$(mktemp -d "${TMPDIR:-/tmp}/belenios-bench.XXXXXX")
T=$W/times          # one NAME.time per timed step: "wall user sys"
mkdir "$T"
ok=0
cleanup() {
	if [ "$ok" = 1 ] && [ "${BELENIOS_KEEP:-0}" != 1 ]; then
		rm -rf "$W"
	else
		echo "election folder kept: $W" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "belenios.sh: FAILED: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# timed NAME CMD: runs CMD with sh -c in $W, records wall, user and sys
# seconds (of CMD and all the processes it waited for) in $T/NAME.time,
# and what it prints (belenios-tool's "I: ..." lines) in $T/NAME.err.
timed() {
	_n=$1; shift
	( cd "$W" && /usr/bin/time -f '%e %U %S' -o "$T/$_n.time" sh -c "$1" >"$T/$_n.err" 2>&1 ) ||
		die "step $_n: $1
--- its last messages ($T/$_n.err):
$(grep -v '^I: ' "$T/$_n.err" | tail -n 20)"
}
wall() { cut -d' ' -f1 "$T/$1.time"; }
cpu() { awk '{ printf "%.2f", $2 + $3 }' "$T/$1.time"; }

log "belenios-tool $TOOL_VERSION ($PKG_VERSION); $V ballots, $JOBS job(s), seed $SEED, load average $(cut -d' ' -f1-3 /proc/loadavg)"
log "folder $W"

# --- the voters' choices (random, valid) and the expected result -----------
# Per voter and question: 0, 1 or 2 selections (equally likely), distinct
# answers chosen at random.  choices/N.json is voter N's 0/1 matrix; the
# expected per-answer counts go to expected.txt as one line of NQ*NA numbers.
mkdir "$W/choices"
awk -v v="$V" -v nq="$NQ" -v na="$NA" -v qmax="$QMAX" -v seed="$SEED" -v dir="$W/choices" '
BEGIN {
	srand(seed)
	for (i = 1; i <= v; i++) {
		s = "["
		for (q = 0; q < nq; q++) {
			for (a = 0; a < na; a++) sel[a] = 0
			k = int(rand() * (qmax + 1))
			for (j = 0; j < k; j++) {
				do a = int(rand() * na); while (sel[a])
				sel[a] = 1
			}
			s = s (q ? "," : "") "["
			for (a = 0; a < na; a++) {
				s = s (a ? "," : "") sel[a]
				cnt[q * na + a] += sel[a]
			}
			s = s "]"
		}
		print s "]" > (dir "/" i ".json")
		close(dir "/" i ".json")
	}
	for (x = 0; x < nq * na; x++) printf "%s%d", (x ? " " : ""), cnt[x]
	printf "\n"
}' >"$W/expected.txt"

# --- set-up: credentials, trustees, election, archive ---------------------
awk -v nq="$NQ" -v na="$NA" -v qmax="$QMAX" 'BEGIN {
	printf "{\"name\":\"ngo-vote benchmark\",\"description\":\"6 x 5, 0..2\",\"questions\":["
	for (q = 1; q <= nq; q++) {
		printf "%s{\"question\":\"Q%d\",\"answers\":[", (q > 1 ? "," : ""), q
		for (a = 1; a <= na; a++) printf "%s\"A%d\"", (a > 1 ? "," : ""), a
		printf "],\"min\":0,\"max\":%d}", qmax
	}
	printf "]}\n"
}' >"$W/template.json"

log "set-up: credentials, $NT trustee keys, election, archive"
timed setup "
	set -e
	UUID=\$(belenios-tool setup generate-token)
	echo \$UUID > uuid
	belenios-tool setup generate-credentials --uuid \$UUID --group $GROUP --count $V >/dev/null
	mv *.pubcreds public_creds.json
	mkdir keys
	for i in \$(seq $NT); do
		( cd keys && belenios-tool setup generate-trustee-key --group $GROUP )
	done
	# trustees.json lists the keys in the order of public_keys.jsons;
	# a trustee's id is its 1-based position there (keys/order).
	: > public_keys.jsons
	for k in keys/*.pubkey; do
		cat \$k >> public_keys.jsons
		echo \${k%.pubkey}.privkey >> keys/order
	done
	belenios-tool setup make-trustees
	belenios-tool setup make-election --uuid \$UUID --group $GROUP --template template.json
	belenios-tool archive init
	rm election.json trustees.json public_creds.json
"
UUID=$(cat "$W/uuid")
BEL=$W/$UUID.bel
[ -s "$BEL" ] || die "no archive $BEL"
[ "$(wc -l <"$W/keys/order")" -eq "$NT" ] || die "expected $NT trustee keys"
PRIVCREDS=$(ls "$W"/*.privcreds)
[ "$(wc -l <"$PRIVCREDS")" -eq "$V" ] || die "expected $V private credentials in $PRIVCREDS"

# The voters' view: the archive as it is before any ballot.
mkdir "$W/ballots"
for j in $(seq "$JOBS"); do
	mkdir "$W/voter$j"
	cp "$BEL" "$W/voter$j/"
done
# Voter N's credential is line N of *.privcreds ("id credential"); the id
# column need not start at 1, so the line number is what matches.
mkdir "$W/creds"
awk -v dir="$W/creds" '{ f = dir "/" NR; print $2 > f; close(f) }' "$PRIVCREDS"

# --- ballot creation ------------------------------------------------------
# JOBS workers; worker j creates the ballots N with N mod JOBS = j - 1.
log "creating $V ballots ($JOBS parallel job(s)) ..."
timed create "
	set -e
	pids=
	for j in \$(seq $JOBS); do
		(
			i=\$j
			while [ \$i -le $V ]; do
				belenios-tool election generate-ballot --dir voter\$j \
					--privcred creds/\$i --ballot choices/\$i.json \
					> ballots/\$i.json ||
					{ echo \"ballot \$i failed\" >&2; exit 1; }
				i=\$((i + $JOBS))
			done
		) &
		pids=\"\$pids \$!\"
	done
	fail=0
	for p in \$pids; do wait \$p || fail=1; done
	exit \$fail
"
n=0
for i in $(seq "$V"); do
	[ "$(wc -l <"$W/ballots/$i.json")" -eq 1 ] || die "ballot $i is not one JSON line"
	n=$((n + 1))
done
[ "$n" -eq "$V" ] || die "$n ballots created, expected $V"

# --- the server: add the ballots, close, tally, decrypt, result -----------
log "archive add-event of $V ballots ..."
timed add "
	set -e
	for i in \$(seq $V); do
		belenios-tool archive add-event --type=Ballot < ballots/\$i.json
	done
	belenios-tool archive add-event --type=EndBallots < /dev/null
"
log "compute-encrypted-tally ..."
timed tally "
	set -e
	belenios-tool election compute-encrypted-tally > encrypted_tally.json
	belenios-tool archive add-event --type=EncryptedTally < encrypted_tally.json
"
for t in $(seq "$NT"); do
	key=$(sed -n "${t}p" "$W/keys/order")
	log "trustee $t decrypts ($key) ..."
	timed "decrypt$t" "
		set -e
		belenios-tool election decrypt --privkey $key --trustee-id $t > partial$t.json
		belenios-tool archive add-event --type=PartialDecryption < partial$t.json
	"
done
log "compute-result ..."
timed result "
	set -e
	belenios-tool election compute-result > result.json
	belenios-tool archive add-event --type=Result < result.json
"
log "election verify ..."
timed verify "belenios-tool election verify --dir . > verify.out 2>&1"
grep -q 'all checks passed' "$W/verify.out" || die "verify: $(cat "$W/verify.out")"

# --- the result must be the sum of the choices made ------------------------
# result.json: {..."result":[[q1a1,...,q1a5],...,[q6a1,...]]...}
GOT=$(sed -n 's/.*"result":\[\(\[[0-9,]*\]\(,\[[0-9,]*\]\)*\)\].*/\1/p' "$W/result.json" | tr -c '0-9' ' ' | awk '{ $1 = $1; print }')
EXPECTED=$(cat "$W/expected.txt")
[ -n "$GOT" ] || die "no result in $W/result.json: $(head -c 300 "$W/result.json")"
[ "$GOT" = "$EXPECTED" ] || die "result differs from the choices made:
  result  : $GOT
  expected: $EXPECTED"
TALLIED=$(sed -n 's/.*"num_tallied":\([0-9]*\).*/\1/p' "$W/result.json")
[ -z "$TALLIED" ] || [ "$TALLIED" -eq "$V" ] || die "num_tallied $TALLIED, expected $V"
log "result matches the $V voters' choices: $GOT"
BELSIZE=$(wc -c <"$BEL")
BALLOTSIZE=$(cat "$W"/ballots/*.json | wc -c)
ok=1

# --- summary --------------------------------------------------------------
steps="setup create add tally"
for t in $(seq "$NT"); do steps="$steps decrypt$t"; done
steps="$steps result verify"
echo "step          wall s    cpu s (user+sys)"
for s in $steps; do
	awk -v s="$s" '{ printf "%-12s %8.2f %8.2f\n", s, $1, $2 + $3 }' "$T/$s.time"
done
{
	echo "belenios.version $PKG_VERSION"
	echo "belenios.tool_version $(echo "$TOOL_VERSION" | cut -d' ' -f1)"
	echo "belenios.group $GROUP"
	echo "belenios.questions $NQ"
	echo "belenios.answers $NA"
	echo "belenios.max $QMAX"
	echo "belenios.trustees $NT"
	echo "belenios.ballots $V"
	echo "belenios.jobs $JOBS"
	echo "belenios.cores $(nproc)"
	echo "belenios.seed $SEED"
	echo "belenios.ballot_bytes_avg $((BALLOTSIZE / V))"
	echo "belenios.archive_bytes $BELSIZE"
	for s in $steps; do
		awk -v s="$s" -v v="$V" '{
			printf "belenios.%s_s %.2f\nbelenios.%s_cpu_s %.2f\n", s, $1, s, $2 + $3
		}' "$T/$s.time"
	done
	for s in create add verify; do
		awk -v s="$s" -v v="$V" '{
			printf "belenios.%s_ms_per_ballot %.1f\nbelenios.%s_cpu_ms_per_ballot %.1f\n",
				s, 1000 * $1 / v, s, 1000 * ($2 + $3) / v
		}' "$T/$s.time"
	done
	echo "belenios.result_ok 1"
} | tee "$W/summary.txt"

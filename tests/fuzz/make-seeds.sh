#!/bin/sh
# make-seeds.sh -- (re)writes the seed corpora tests/fuzz/corpus/<target>/
# from the protocol's test vectors and example records (tests/spec/) and a
# few hand-written inputs.  Run from the repository root after
# `make fuzz-build`; the result is committed (keep it small, < 1 MB).
set -eu
FUZZ_DIR=${FUZZ_DIR:-build/fuzz}
C=tests/fuzz/corpus
SPEC=tests/spec

vector() { sed -n "s/^$1 = //p" $SPEC/vectors.txt; }
hexfile() { printf '%s' "$1" | xxd -r -p > "$2"; }

rm -rf $C
mkdir -p $C/ballot $C/manifest $C/record $C/verify $C/hex $C/jspec $C/csv $C/secret

# ballot: bodies for the harness's own manifest (valid ones and one of each
# refusal), written by the harness itself; the spec's open ballots (wrong
# election for that manifest, but the right shape)
FUZZ_WRITE_SEEDS=$C/ballot "$FUZZ_DIR/fuzz_ballot" -runs=0 >/dev/null 2>&1
hexfile "$(vector open.ballot.ngo-a.s1.body)" $C/ballot/spec-ngo-a-s1
hexfile "$(vector open.ballot.ngo-c.s2.body)" $C/ballot/spec-ngo-c-s2

# manifest: both example manifests
hexfile "$(vector open.manifest.bytes)" $C/manifest/open
hexfile "$(vector secret.manifest.bytes)" $C/manifest/secret

# record: one line of each kind and event type, without the '\n'
i=0
for f in $SPEC/record-open.jsonl $SPEC/record-secret.jsonl; do
	base=$(basename "$f" .jsonl)
	while IFS= read -r line; do
		key=$(printf '%s' "$line" | sed -n 's/.*"type":"\([a-z0-9-]*\)".*/\1/p')
		[ -n "$key" ] || key=$(printf '%s' "$line" | cut -c3-8 | tr -c 'a-z\n' '_')
		out=$C/record/$base-$key
		[ -e "$out" ] || printf '%s' "$line" > "$out"
		i=$((i + 1))
	done < "$f"
done
printf '{"n":0,"type":"ballot","at":"2009-05-04T08:03:11Z","data":"","hash":"%0128d"}' 0 \
	> $C/record/empty-data
printf '{"n":1,"type":"open","at":"2009-05-04T08:00:00Z","data":"AB","hash":"%0128d"}' 0 \
	> $C/record/upper-data

# verify: first byte = prefix lines (low nibble) + example receipt (0x10) +
# first line is a receipt (0x20), then lines
for k in 1 2 3 8 9 11 12; do
	printf "\\$(printf '%03o' $((k + 16)))" > $C/verify/prefix-$k
	tail -n +$((k + 1)) $SPEC/record-open.jsonl >> $C/verify/prefix-$k
done
# the secret-mode record's header, manifest and key ceremony's first event
# (the whole record would make every input up to 37 KB long, and slow)
printf '\000' > $C/verify/secret
head -n 3 $SPEC/record-secret.jsonl >> $C/verify/secret
# the first line a receipt (0x20): the example one, after the whole record
printf '\054' > $C/verify/receipt-line
cat $SPEC/receipt-open.json >> $C/verify/receipt-line
# a ballot counted twice, and a close that miscounts
printf '\023' > $C/verify/dup-ballot
sed -n '4p;4p;5,$p' $SPEC/record-open.jsonl >> $C/verify/dup-ballot

# hex
printf '' > $C/hex/empty
printf '00' > $C/hex/zero
printf '0123456789abcdef' > $C/hex/digits
printf 'ABCDEF' > $C/hex/upper
printf 'abc' > $C/hex/odd
printf '%s' "$(vector open.election.hash)" > $C/hex/election-hash
printf '%s' "$(vector key.server.pk)" > $C/hex/server-pk

# jspec: every field kind, the ballot and receipt bodies, and hostile ones
printf '{"s":"text","hex":"0011223344556677","var":"abcd","u32":7,"i64":-9,"flag":true,"obj":{"a":[1]},"arr":[1,2,3]}' \
	> $C/jspec/every-kind
printf '{"body":"%s","signature":"%s"}' "$(vector open.ballot.ngo-a.s1.body)" \
	"$(vector open.ballot.ngo-a.s1.sig)" > $C/jspec/ballot
cp $SPEC/receipt-open.json $C/jspec/receipt
printf '{"s":"a\\u0000b"}' > $C/jspec/nul
printf '{"s":"\377"}' > $C/jspec/bad-utf8
printf '{"i64":9223372036854775808}' > $C/jspec/big-number
printf '{"u32":1e400}' > $C/jspec/big-real
printf '{"s":"x","s":"y"}' > $C/jspec/duplicate
printf '{"obj":%s1%s}' "$(printf '[%.0s' $(seq 40))" "$(printf ']%.0s' $(seq 40))" > $C/jspec/deep
printf '{"s":"\\ud800"}' > $C/jspec/lone-surrogate

# csv: first byte = field limit - 1 (15: CSV_MAX_FIELDS), then the NGO
# import's header and rows (quotes, CRLF, BOM, Khmer)
H='id,name_en,name_km,registration_no,contact_name,phone,email,province'
printf '\017%s\nngo-a,Alpha,អង្គការ,R-1,"Sok, Dara",012,a@example.org,Phnom Penh\n' "$H" \
	> $C/csv/import
printf '\017\357\273\277%s\r\nngo-b,"Beta ""B""",x,,,,,\r\n\r\n' "$H" > $C/csv/bom-crlf
printf '\017%s\n"multi\nline",a,b,c,d,e,f,g\n"open quote,a\n' "$H" > $C/csv/quotes
printf '\002a,b"c\rd,e\n' > $C/csv/quote-inside

du -sh $C

# secret: the example secret record's ballots, ceremony messages and partial
# decryptions, each behind its target byte, written by the harness itself
FUZZ_WRITE_SEEDS=$C/secret "$FUZZ_DIR/fuzz_secret" -runs=0 >/dev/null 2>&1

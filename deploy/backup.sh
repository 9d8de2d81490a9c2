#!/bin/sh
# deploy/backup.sh DB_PATH DEST_DIR
#
# Takes a consistent copy of the ngo-vote database while the daemon keeps
# running, checks it, and keeps the server key beside it:
#
#   1. sqlite3 ".backup" (SQLite's online backup API; safe while ngo-voted
#      writes, in WAL mode) into a temporary file in DEST_DIR;
#   2. PRAGMA integrity_check on the copy: anything but exactly "ok" fails,
#      and the copy is removed;
#   3. the copy becomes DEST_DIR/ngo-vote-YYYYmmddTHHMMSSZ.sqlite (UTC time
#      at which the backup started), mode 0600;
#   4. the server key (server.key beside DB_PATH, or $NGO_VOTE_KEY_FILE) is
#      copied to DEST_DIR/server.key, mode 0600, unless that file already
#      holds the same key.  If it holds a different key, the new one is kept
#      as DEST_DIR/server-YYYYmmddTHHMMSSZ.key and nothing is overwritten.
#
# The backup only reads the database.  (It is not opened with -readonly: a
# read-only connection would leave empty -wal/-shm files behind when the
# daemon is stopped.)  DEST_DIR is created (mode 0700) if missing.  Run as
# root or as the ngo-vote user; as root, SQLite gives any -wal/-shm file it
# creates to the database's owner.
#
# Exit status: 0 done; 1 failed, no new database backup; 2 usage error;
# 3 the database backup is done but the server key was not found, not
# readable, or differs from the one already in DEST_DIR (read the warning).
#
# Informational lines go to stdout, warnings and errors to stderr, so a cron
# job can send stdout to /dev/null and still mail every warning.
set -eu

prog=backup.sh

die() {
	echo "$prog: error: $*" >&2
	exit 1
}

loud() {
	{
		echo "$prog: ******************************************************************"
		for line in "$@"; do
			echo "$prog: * $line"
		done
		echo "$prog: ******************************************************************"
	} >&2
}

if [ $# -ne 2 ]; then
	echo "usage: $prog DB_PATH DEST_DIR" >&2
	exit 2
fi
db=$1
dest=$2

command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 not found (apt-get install sqlite3)"
[ -f "$db" ] || die "$db: no such file"
[ -r "$db" ] || die "$db: not readable (run as root or as the ngo-vote user)"

# sqlite3 runs inside DEST_DIR below, so the database path must be absolute.
case $db in
/*) ;;
*) db=$(pwd)/$db ;;
esac
# A path that starts with "-" would be taken for an option.
case $dest in
-*) dest=./$dest ;;
esac

umask 077
if [ ! -d "$dest" ]; then
	mkdir -p "$dest" || die "cannot create $dest"
	chmod 0700 "$dest"
fi
[ -w "$dest" ] || die "$dest: not writable"
if [ -n "$(find "$dest" -prune \( -perm -004 -o -perm -040 \))" ]; then
	echo "$prog: warning: $dest is readable by other users; it will hold the secret server key (chmod 0700 it)" >&2
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
final=$dest/ngo-vote-$stamp.sqlite
[ ! -e "$final" ] || die "$final already exists"

tmp=
keytmp=
# shellcheck disable=SC2317  # called through the trap below
cleanup() {
	if [ -n "$tmp" ]; then
		rm -f "$tmp" "$tmp-journal" "$tmp-wal" "$tmp-shm"
	fi
	if [ -n "$keytmp" ]; then
		rm -f "$keytmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

tmp=$(mktemp "$dest/.ngo-vote-backup.XXXXXX") || die "cannot create a temporary file in $dest"
# The name mktemp chose has no quote in it, so it is safe inside '...' of the
# dot-command; that is why sqlite3 runs in DEST_DIR with the bare name.
tmpname=${tmp##*/}

# -init /dev/null: ignore ~/.sqliterc, whose settings could change the output.
if ! (cd "$dest" && sqlite3 -batch -bail -init /dev/null "$db" ".backup '$tmpname'"); then
	die "sqlite3 .backup of $db failed; nothing written"
fi

check=$(sqlite3 -batch -init /dev/null "$tmp" "PRAGMA integrity_check;" 2>&1) || true
if [ "$check" != "ok" ]; then
	echo "$prog: integrity_check of the copy did not say \"ok\":" >&2
	printf '%s\n' "$check" | sed -n '1,20p' | sed "s/^/$prog:   /" >&2
	die "backup of $db rejected; the copy was removed"
fi

chmod 0600 "$tmp"
mv "$tmp" "$final"
tmp=
sync
echo "$prog: wrote $final (integrity_check: ok)"

# --- The server key ---
key=${NGO_VOTE_KEY_FILE:-$(dirname "$db")/server.key}
keydest=$dest/server.key
status=0

if [ ! -f "$key" ]; then
	loud "WARNING: no server key at $key; it was NOT backed up." \
	     "Without it this server can no longer sign receipts and board heads" \
	     "with the key of an election in progress.  If the daemon uses" \
	     "--key-file, set NGO_VOTE_KEY_FILE to that path and run again."
	status=3
elif [ ! -r "$key" ]; then
	loud "WARNING: the server key $key is not readable; it was NOT backed up." \
	     "Run this script as root or as the ngo-vote user."
	status=3
elif [ -f "$keydest" ] && cmp -s "$key" "$keydest"; then
	chmod 0600 "$keydest"
	echo "$prog: server key already in $keydest (same key)"
else
	target=$keydest
	if [ -e "$keydest" ]; then
		target=$dest/server-$stamp.key
		status=3
	fi
	keytmp=$(mktemp "$dest/.server.key.XXXXXX") || die "cannot create a temporary file in $dest"
	cp "$key" "$keytmp"
	chmod 0600 "$keytmp"
	mv "$keytmp" "$target"
	keytmp=
	sync
	if [ "$status" -eq 3 ]; then
		loud "WARNING: the server key $key is NOT the key already backed up in" \
		     "$keydest.  Both are kept; the current one is now $target." \
		     "The key should never change while an election is in progress:" \
		     "find out why before anything else."
	fi
	loud "SECRET: $target is the server's private signing key." \
	     "Anyone who holds it can sign receipts and board heads as this" \
	     "server.  Keep $dest readable by root only, store copies offline" \
	     "(encrypted), and never send the key by e-mail or chat."
fi

exit "$status"

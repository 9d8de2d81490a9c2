#!/bin/sh
# deploy/restore.sh [--force] BACKUP.sqlite DB_PATH
#
# Puts a backup made by deploy/backup.sh back in place as the ngo-vote
# database.  Stop the daemon first (systemctl stop ngo-voted).
#
#   1. Refuses while ngo-voted seems to run: `systemctl is-active ngo-voted`
#      says it is (or is starting or stopping), or a process named ngo-voted
#      exists.  Without systemd it cannot tell, and requires --force.
#      --force skips these checks: use it only when you know no daemon uses
#      DB_PATH (for example when restoring to a scratch path to look at an
#      old backup).
#   2. Copies BACKUP next to DB_PATH and runs PRAGMA integrity_check on that
#      copy; anything but exactly "ok" stops here and the copy is removed.
#   3. Moves the current database aside as DB_PATH.before-restore-YYYYmmddTHHMMSSZ
#      (its -wal and -journal files go with it, renamed the same way, so the
#      old database stays readable; the -shm index is deleted), then renames
#      the checked copy to DB_PATH, mode 0600, owned by the owner of the old
#      database (or of its directory) when run as root.
#
# The server key is not touched.  The script only warns when the key beside
# DB_PATH (or $NGO_VOTE_KEY_FILE) is missing or differs from the server.key
# beside BACKUP.
#
# Exit status: 0 restored; 1 refused or failed, DB_PATH unchanged (unless the
# message says otherwise); 2 usage error.
set -eu

prog=restore.sh

usage() {
	echo "usage: $prog [--force] BACKUP.sqlite DB_PATH" >&2
	exit 2
}

die() {
	echo "$prog: error: $*" >&2
	exit 1
}

warn() {
	echo "$prog: warning: $*" >&2
}

force=0
backup=
db=
nargs=0
for arg in "$@"; do
	case $arg in
	--force) force=1 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*)
		nargs=$((nargs + 1))
		case $nargs in
		1) backup=$arg ;;
		2) db=$arg ;;
		*) usage ;;
		esac
		;;
	esac
done
[ "$nargs" -eq 2 ] || usage

command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 not found (apt-get install sqlite3)"
[ -f "$backup" ] || die "$backup: no such file"
[ -r "$backup" ] || die "$backup: not readable"
if [ -s "$backup-wal" ]; then
	die "$backup has a non-empty $backup-wal beside it, so the file alone is not the whole database; make the backup with deploy/backup.sh"
fi
dbdir=$(dirname "$db")
[ -d "$dbdir" ] || die "$dbdir: no such directory (create it: install -d -m 0700 -o ngo-vote -g ngo-vote $dbdir)"
[ -w "$dbdir" ] || die "$dbdir: not writable (run as root or as the ngo-vote user)"
[ ! -d "$db" ] || die "$db is a directory"

# --- 1. Is the daemon running? ---
stopped_by_systemd=0
if command -v systemctl >/dev/null 2>&1; then
	state=$(systemctl is-active ngo-voted 2>/dev/null) || true
	case $state in
	inactive | failed)
		stopped_by_systemd=1
		;;
	active | activating | deactivating | reloading | refreshing)
		if [ "$force" -eq 0 ]; then
			die "systemd says ngo-voted is $state; stop it first: systemctl stop ngo-voted"
		fi
		warn "systemd says ngo-voted is $state; going on because of --force"
		;;
	*) ;; # no answer (systemd not running here): cannot tell
	esac
fi
if command -v pgrep >/dev/null 2>&1; then
	pids=$(pgrep -x ngo-voted | tr '\n' ' ') || true
	pids=${pids% }
	if [ -n "$pids" ]; then
		if [ "$force" -eq 0 ]; then
			die "a process named ngo-voted is running (pid $pids); stop it first, or use --force if it does not use $db"
		fi
		warn "ngo-voted is running (pid $pids); going on because of --force"
	fi
fi
if [ "$stopped_by_systemd" -eq 0 ] && [ "$force" -eq 0 ]; then
	die "cannot tell whether ngo-voted is running (no answer from systemd); stop it, then run again with --force"
fi

# --- 2. Copy and check ---
umask 077
tmp=
# shellcheck disable=SC2317  # called through the trap below
cleanup() {
	if [ -n "$tmp" ]; then
		rm -f "$tmp" "$tmp-journal" "$tmp-wal" "$tmp-shm"
	fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

tmp=$(mktemp "$dbdir/.ngo-vote-restore.XXXXXX") || die "cannot create a temporary file in $dbdir"
cp "$backup" "$tmp" || die "cannot copy $backup to $dbdir"

check=$(sqlite3 -batch -init /dev/null "$tmp" "PRAGMA integrity_check;" 2>&1) || true
if [ "$check" != "ok" ]; then
	echo "$prog: integrity_check of $backup did not say \"ok\":" >&2
	printf '%s\n' "$check" | sed -n '1,20p' | sed "s/^/$prog:   /" >&2
	die "$backup rejected; $db was not touched"
fi

# Owner for the restored file when run as root: that of the old database, or
# else that of its directory (ngo-vote for /var/lib/ngo-vote).
owner=
if [ "$(id -u)" -eq 0 ]; then
	if [ -e "$db" ]; then
		owner=$(stat -c '%u:%g' "$db")
	else
		owner=$(stat -c '%u:%g' "$dbdir")
	fi
fi

chmod 0600 "$tmp"
if [ -n "$owner" ]; then
	chown "$owner" "$tmp" || die "cannot chown $owner $tmp"
fi

# --- 3. Swap ---
stamp=$(date -u +%Y%m%dT%H%M%SZ)
aside=
if [ -e "$db" ]; then
	aside=$db.before-restore-$stamp
	[ ! -e "$aside" ] || die "$aside already exists"
	mv "$db" "$aside" || die "cannot move $db aside"
	if [ -e "$db-wal" ]; then
		mv "$db-wal" "$aside-wal" || die "cannot move $db-wal aside (the old database is now $aside)"
	fi
	if [ -e "$db-journal" ]; then
		mv "$db-journal" "$aside-journal" || die "cannot move $db-journal aside (the old database is now $aside)"
	fi
fi
rm -f "$db-shm" "$db-wal" "$db-journal"
mv "$tmp" "$db" || die "cannot rename the checked copy to $db${aside:+ (the old database is now $aside)}"
tmp=
sync

echo "$prog: restored $backup to $db (integrity_check: ok)"
if [ -n "$aside" ]; then
	echo "$prog: the previous database is now $aside"
fi

# --- The server key: check only ---
key=${NGO_VOTE_KEY_FILE:-$dbdir/server.key}
backup_key=$(dirname "$backup")/server.key
if [ ! -e "$key" ]; then
	hint=
	if [ -e "$backup_key" ]; then
		hint=" (for example $backup_key)"
	fi
	warn "there is no server key at $key.  Put back the key this database was used with$hint, mode 0600, owner ngo-vote, before starting ngo-voted: elections already opened are bound to it."
elif [ -r "$key" ] && [ -r "$backup_key" ] && ! cmp -s "$key" "$backup_key"; then
	warn "$key differs from $backup_key.  Make sure $key is the key this database was used with before starting ngo-voted."
fi
echo "$prog: now start the daemon (systemctl start ngo-voted) and check GET /healthz"

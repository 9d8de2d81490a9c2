-- 0001_board: elections and their append-only, hash-chained boards
-- (spec/protocol.md §10).  Later migrations add the draft, registry and
-- account tables; this one holds what the record is made of.

CREATE TABLE elections (
	id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^a-z0-9_-]*'),
	status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
	-- set once the manifest (event 0) is on the board
	election_hash BLOB CHECK (election_hash IS NULL OR length(election_hash) = 64),
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- One row per board event.  h_n is computed by the store when it appends,
-- in the same transaction as the state change that caused the event.
CREATE TABLE board_events (
	election_id TEXT NOT NULL REFERENCES elections(id),
	n INTEGER NOT NULL CHECK (n >= 0),
	type TEXT NOT NULL CHECK (type IN ('manifest', 'dkg-round0', 'dkg-round1', 'dkg-round2',
		'dkg-round3', 'open', 'ballot', 'close', 'tally', 'partial-decryption', 'result')),
	at TEXT NOT NULL CHECK (length(at) = 20),
	data BLOB NOT NULL,
	hash BLOB NOT NULL CHECK (length(hash) = 64),
	-- for ballot events: who cast it, with which seq, and its ballot_hash
	voter_pk BLOB CHECK (voter_pk IS NULL OR length(voter_pk) = 32),
	seq INTEGER,
	ballot_hash BLOB CHECK (ballot_hash IS NULL OR length(ballot_hash) = 64),
	PRIMARY KEY (election_id, n),
	UNIQUE (election_id, ballot_hash)
) STRICT, WITHOUT ROWID;

CREATE INDEX board_events_voter ON board_events (election_id, voter_pk, seq)
	WHERE voter_pk IS NOT NULL;

-- Append-only: the board is evidence, so no row may change or go away.
CREATE TRIGGER board_events_no_update BEFORE UPDATE ON board_events
BEGIN
	SELECT RAISE(ABORT, 'board events are append-only');
END;

CREATE TRIGGER board_events_no_delete BEFORE DELETE ON board_events
BEGIN
	SELECT RAISE(ABORT, 'board events are append-only');
END;

-- INSERT OR REPLACE deletes without firing delete triggers: refuse it here.
CREATE TRIGGER board_events_no_replace BEFORE INSERT ON board_events
WHEN EXISTS (SELECT 1 FROM board_events WHERE election_id = NEW.election_id AND n = NEW.n)
BEGIN
	SELECT RAISE(ABORT, 'board events are append-only');
END;

-- 0005_ceremony: secret-ballot elections.  The trustees' key ceremony is
-- kept off the board until it is complete (docs/secret-mode.md): each
-- attempt freezes a manifest, and its accepted messages are kept in the
-- order accepted.  A restart abandons an attempt; abandoned attempts stay
-- here as evidence of every restart.  Beside them: the dry run of each
-- attempt and its partial decryptions, and the encodings of every
-- accepted ballot alpha (weeding, spec §9).

CREATE TABLE ceremonies (
	election_id TEXT NOT NULL REFERENCES elections(id),
	attempt INTEGER NOT NULL CHECK (attempt >= 1),
	state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'abandoned')),
	-- manifest_bytes (spec §5), built once when the attempt started
	manifest BLOB NOT NULL,
	manifest_hash BLOB NOT NULL CHECK (length(manifest_hash) = 64),
	-- the secret-mode election_hash, once round 3 is complete
	election_hash BLOB CHECK (election_hash IS NULL OR length(election_hash) = 64),
	started_at TEXT NOT NULL,
	started_by TEXT NOT NULL,
	PRIMARY KEY (election_id, attempt)
) STRICT, WITHOUT ROWID;

-- At most one attempt of an election is alive (running or complete).
CREATE UNIQUE INDEX ceremonies_alive ON ceremonies (election_id) WHERE state <> 'abandoned';

CREATE TABLE ceremony_messages (
	election_id TEXT NOT NULL,
	attempt INTEGER NOT NULL,
	seq INTEGER NOT NULL CHECK (seq >= 0), -- accepted order within the attempt
	round INTEGER NOT NULL CHECK (round BETWEEN 0 AND 3),
	trustee INTEGER NOT NULL CHECK (trustee >= 1),
	data BLOB NOT NULL, -- R_r || sig, as the dkg-round<r> event will carry it
	at TEXT NOT NULL CHECK (length(at) = 20),
	PRIMARY KEY (election_id, attempt, seq),
	UNIQUE (election_id, attempt, round, trustee),
	FOREIGN KEY (election_id, attempt) REFERENCES ceremonies(election_id, attempt)
) STRICT, WITHOUT ROWID;

-- Accepted messages are signed evidence: never changed or removed.
CREATE TRIGGER ceremony_messages_no_update BEFORE UPDATE ON ceremony_messages
BEGIN
	SELECT RAISE(ABORT, 'ceremony messages are append-only');
END;

CREATE TRIGGER ceremony_messages_no_delete BEFORE DELETE ON ceremony_messages
BEGIN
	SELECT RAISE(ABORT, 'ceremony messages are append-only');
END;

-- One dry run per attempt: known counts encrypted under Y.
CREATE TABLE dry_runs (
	election_id TEXT NOT NULL,
	attempt INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed')),
	-- election_hash || LE32(0) || PT(A) || PT(B) for each (c, i)
	data BLOB NOT NULL,
	started_at TEXT NOT NULL,
	PRIMARY KEY (election_id, attempt),
	FOREIGN KEY (election_id, attempt) REFERENCES ceremonies(election_id, attempt)
) STRICT, WITHOUT ROWID;

CREATE TABLE dry_run_partials (
	election_id TEXT NOT NULL,
	attempt INTEGER NOT NULL,
	trustee INTEGER NOT NULL CHECK (trustee >= 1),
	data BLOB NOT NULL, -- PD_j || sig
	at TEXT NOT NULL CHECK (length(at) = 20),
	PRIMARY KEY (election_id, attempt, trustee),
	FOREIGN KEY (election_id, attempt) REFERENCES dry_runs(election_id, attempt)
) STRICT, WITHOUT ROWID;

-- Weeding: every alpha of every accepted secret ballot, with its voter.
-- A ballot is refused when one of its alphas belongs to another voter.
CREATE TABLE ballot_alphas (
	election_id TEXT NOT NULL REFERENCES elections(id),
	alpha BLOB NOT NULL CHECK (length(alpha) = 32),
	voter_pk BLOB NOT NULL CHECK (length(voter_pk) = 32),
	PRIMARY KEY (election_id, alpha)
) STRICT, WITHOUT ROWID;

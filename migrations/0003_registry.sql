-- 0003_registry: the NGO registry, enrolment codes, NGO keys (current and
-- revoked), delegate login nonces, and each election's roll.

CREATE TABLE ngos (
	id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^a-z0-9_-]*'),
	name_en TEXT NOT NULL,
	name_km TEXT NOT NULL,
	registration_no TEXT NOT NULL DEFAULT '',
	contact_name TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	province TEXT NOT NULL DEFAULT '',
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- One current key per NGO; replaced keys stay, revoked, with the time.
CREATE TABLE ngo_keys (
	id INTEGER PRIMARY KEY,
	ngo_id TEXT NOT NULL REFERENCES ngos(id),
	public_key BLOB NOT NULL UNIQUE CHECK (length(public_key) = 32),
	enrolled_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	revoked_at TEXT
) STRICT;

CREATE UNIQUE INDEX ngo_keys_current ON ngo_keys (ngo_id) WHERE revoked_at IS NULL;

CREATE TABLE enrolment_codes (
	code_hash BLOB PRIMARY KEY CHECK (length(code_hash) = 32),
	ngo_id TEXT NOT NULL REFERENCES ngos(id),
	issued_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at INTEGER,
	revoked_at INTEGER,
	issued_by INTEGER REFERENCES accounts(id)
) STRICT;

CREATE INDEX enrolment_codes_ngo ON enrolment_codes (ngo_id, issued_at);

CREATE TABLE login_nonces (
	nonce BLOB PRIMARY KEY CHECK (length(nonce) = 32),
	ngo_id TEXT NOT NULL REFERENCES ngos(id),
	expires_at INTEGER NOT NULL
) STRICT;

-- The voters of each election, fixed when its manifest is written.
CREATE TABLE election_roll (
	election_id TEXT NOT NULL REFERENCES elections(id),
	ngo_id TEXT NOT NULL REFERENCES ngos(id),
	public_key BLOB NOT NULL CHECK (length(public_key) = 32),
	PRIMARY KEY (election_id, ngo_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX election_roll_ngo ON election_roll (ngo_id);

-- 0002_accounts: secretariat and auditor accounts, their one-time setup
-- links, sessions (accounts and NGO delegates), and the audit log.

CREATE TABLE accounts (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
	role TEXT NOT NULL CHECK (role IN ('secretariat', 'auditor')),
	-- crypto_pwhash_str (Argon2id); NULL until the setup link is used
	password_hash TEXT,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	created_by INTEGER REFERENCES accounts(id)
) STRICT;

-- Setup links carry a random token; only its SHA-256 is kept.
CREATE TABLE setup_tokens (
	token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
	account_id INTEGER NOT NULL REFERENCES accounts(id),
	expires_at INTEGER NOT NULL,
	used_at INTEGER
) STRICT;

-- NGOs come in 0003; delegate sessions name their NGO by id.
CREATE TABLE sessions (
	id_hash BLOB PRIMARY KEY CHECK (length(id_hash) = 32),
	kind TEXT NOT NULL CHECK (kind IN ('account', 'delegate')),
	account_id INTEGER REFERENCES accounts(id),
	ngo_id TEXT,
	csrf_token TEXT NOT NULL CHECK (length(csrf_token) = 64),
	created_at INTEGER NOT NULL,
	last_seen INTEGER NOT NULL,
	CHECK ((kind = 'account') = (account_id IS NOT NULL)),
	CHECK ((kind = 'delegate') = (ngo_id IS NOT NULL))
) STRICT;

CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT,
	detail TEXT
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;

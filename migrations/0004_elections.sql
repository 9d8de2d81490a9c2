-- 0004_elections: the secretariat's draft of an election (a JSON document
-- validated by the server, editable until the election opens) and the
-- schedule the daemon's timer reads.

ALTER TABLE elections ADD COLUMN draft TEXT NOT NULL DEFAULT '{}';
ALTER TABLE elections ADD COLUMN opens_at TEXT NOT NULL DEFAULT '';
ALTER TABLE elections ADD COLUMN closes_at TEXT NOT NULL DEFAULT '';
-- 1 when the daemon opens (closes) the election itself at that time
ALTER TABLE elections ADD COLUMN auto_open INTEGER NOT NULL DEFAULT 0 CHECK (auto_open IN (0, 1));
ALTER TABLE elections ADD COLUMN auto_close INTEGER NOT NULL DEFAULT 0 CHECK (auto_close IN (0, 1));
ALTER TABLE elections ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';

CREATE INDEX elections_schedule ON elections (status, auto_open, auto_close);

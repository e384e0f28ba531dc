-- Reopen schema v1. Times are UTC RFC 3339 text; JSON columns hold serde documents.

CREATE TABLE divisions (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    short   TEXT NOT NULL,
    level   TEXT NOT NULL CHECK (level IN ('city','district','county')),
    parent  TEXT REFERENCES divisions(code)
) STRICT;

CREATE TABLE department_kinds (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('industry','countersign'))
) STRICT;

CREATE TABLE departments (
    id        INTEGER PRIMARY KEY,
    division  TEXT NOT NULL REFERENCES divisions(code),
    kind      TEXT NOT NULL REFERENCES department_kinds(code),
    name      TEXT NOT NULL,
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
    UNIQUE (division, kind)
) STRICT;

CREATE TABLE industries (
    division         TEXT PRIMARY KEY,
    section          TEXT NOT NULL,
    name             TEXT NOT NULL,
    department_kind  TEXT REFERENCES department_kinds(code)
) STRICT;

-- Key/value settings: 'policy' (JSON of domain::policy::Policy), 'workflow:<division>' (JSON workflow).
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;

CREATE TABLE firms (
    id                    INTEGER PRIMARY KEY,
    credit_code           TEXT NOT NULL UNIQUE,
    name                  TEXT NOT NULL,
    division              TEXT NOT NULL REFERENCES divisions(code),
    township              TEXT NOT NULL,
    address               TEXT NOT NULL,
    industry              TEXT NOT NULL REFERENCES industries(division),
    legal_representative  TEXT NOT NULL,
    principal_name        TEXT NOT NULL,
    principal_phone       TEXT NOT NULL,
    contact_name          TEXT NOT NULL,
    contact_phone         TEXT NOT NULL,
    staff_total           INTEGER NOT NULL CHECK (staff_total >= 0),
    city_managed          INTEGER NOT NULL CHECK (city_managed IN (0,1)),
    warnings              TEXT NOT NULL DEFAULT '[]',
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
) STRICT;
CREATE INDEX firms_division ON firms(division, name);

-- Trigram full-text index over firm names (Chinese has no spaces; trigrams match any 3+ character
-- fragment and accelerate LIKE). Kept in step by triggers.
CREATE VIRTUAL TABLE firms_fts USING fts5(name, content='firms', content_rowid='id', tokenize='trigram');
CREATE TRIGGER firms_fts_ai AFTER INSERT ON firms BEGIN
    INSERT INTO firms_fts(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER firms_fts_ad AFTER DELETE ON firms BEGIN
    INSERT INTO firms_fts(firms_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER firms_fts_au AFTER UPDATE OF name ON firms BEGIN
    INSERT INTO firms_fts(firms_fts, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO firms_fts(rowid, name) VALUES (new.id, new.name);
END;

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    role                TEXT NOT NULL CHECK (role IN ('firm','reviewer','clerk','leader','admin')),
    department_id       INTEGER REFERENCES departments(id),
    firm_id             INTEGER REFERENCES firms(id),
    division            TEXT REFERENCES divisions(code),
    password_hash       TEXT NOT NULL,
    must_change         INTEGER NOT NULL DEFAULT 1,
    disabled            INTEGER NOT NULL DEFAULT 0,
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        TEXT,
    password_changed_at TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    CHECK (role <> 'reviewer' OR department_id IS NOT NULL),
    CHECK (role NOT IN ('clerk','leader') OR division IS NOT NULL)
) STRICT;

CREATE TABLE applications (
    id                 INTEGER PRIMARY KEY,
    firm_id            INTEGER NOT NULL REFERENCES firms(id),
    jurisdiction       TEXT NOT NULL REFERENCES divisions(code),
    state              TEXT NOT NULL CHECK (state IN
                         ('draft','in_review','returned','approved','rejected','withdrawn','certified','revoked')),
    category           TEXT NOT NULL,
    planned_date       TEXT NOT NULL,
    planned_headcount  INTEGER NOT NULL,
    plan               TEXT NOT NULL,
    roster_count       INTEGER NOT NULL DEFAULT 0,
    version            INTEGER NOT NULL DEFAULT 1,
    submission_no      INTEGER NOT NULL DEFAULT 0,
    stage              INTEGER,
    approved_headcount INTEGER,
    conditions         TEXT,
    created_by         INTEGER NOT NULL REFERENCES users(id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    submitted_at       TEXT,
    decided_at         TEXT
) STRICT;
CREATE INDEX applications_firm ON applications(firm_id, state);
CREATE INDEX applications_state ON applications(jurisdiction, state, updated_at);
-- At most one application per firm that is not final (rejected, withdrawn, revoked are final).
CREATE UNIQUE INDEX applications_one_open ON applications(firm_id)
    WHERE state NOT IN ('rejected','withdrawn','revoked');

CREATE TABLE roster_entries (
    id                INTEGER PRIMARY KEY,
    application_id    INTEGER NOT NULL REFERENCES applications(id),
    row_no            INTEGER NOT NULL,
    name              TEXT NOT NULL,
    id_number         TEXT NOT NULL,
    phone             TEXT NOT NULL,
    post              TEXT NOT NULL,
    home_region       TEXT NOT NULL,
    from_elsewhere    INTEGER NOT NULL CHECK (from_elsewhere IN (0,1)),
    from_region       TEXT NOT NULL,
    return_date       TEXT,
    observation_start TEXT,
    observation_end   TEXT,
    health            TEXT NOT NULL CHECK (health IN ('normal','observation','fever')),
    UNIQUE (application_id, id_number)
) STRICT;
CREATE INDEX roster_app ON roster_entries(application_id, row_no);

-- Every submission, frozen: the plan and the roster as they were submitted.
CREATE TABLE submissions (
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    submission_no   INTEGER NOT NULL,
    plan            TEXT NOT NULL,
    roster          TEXT NOT NULL,
    stages          TEXT NOT NULL,
    findings        TEXT NOT NULL,
    submitted_by    INTEGER NOT NULL REFERENCES users(id),
    submitted_at    TEXT NOT NULL,
    PRIMARY KEY (application_id, submission_no)
) STRICT;
CREATE TRIGGER submissions_no_update BEFORE UPDATE ON submissions BEGIN
    SELECT RAISE(ABORT, 'submissions are immutable');
END;
CREATE TRIGGER submissions_no_delete BEFORE DELETE ON submissions BEGIN
    SELECT RAISE(ABORT, 'submissions are immutable');
END;

-- One review task per department per stage per submission. A decided task is never changed.
CREATE TABLE review_tasks (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    submission_no   INTEGER NOT NULL,
    stage           INTEGER NOT NULL,
    stage_name      TEXT NOT NULL,
    department_id   INTEGER NOT NULL REFERENCES departments(id),
    quorum          INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending','approved','rejected','returned','closed')),
    green_channel   INTEGER NOT NULL CHECK (green_channel IN (0,1)),
    opened_at       TEXT NOT NULL,
    due_at          TEXT NOT NULL,
    decided_at      TEXT,
    decided_by      INTEGER REFERENCES users(id),
    opinion         TEXT,
    headcount       INTEGER,
    conditions      TEXT,
    UNIQUE (application_id, submission_no, stage, department_id)
) STRICT;
CREATE INDEX review_queue ON review_tasks(department_id, state, due_at);
CREATE INDEX review_app ON review_tasks(application_id, submission_no, stage);
CREATE TRIGGER review_tasks_decided_frozen BEFORE UPDATE ON review_tasks
    WHEN old.state <> 'pending' BEGIN
    SELECT RAISE(ABORT, 'a decided review task is never changed');
END;
CREATE TRIGGER review_tasks_no_delete BEFORE DELETE ON review_tasks BEGIN
    SELECT RAISE(ABORT, 'review tasks are kept');
END;

-- Append-only, hash-chained audit log.
CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL,
    role        TEXT NOT NULL,
    action      TEXT NOT NULL,
    record      TEXT NOT NULL,
    before      TEXT,
    after       TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
) STRICT;
CREATE INDEX audit_record ON audit_events(record, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- index applications_decided
CREATE INDEX applications_decided ON applications(decided_at);
-- index applications_firm
CREATE INDEX applications_firm ON applications(firm_id, state);
-- index applications_one_open
CREATE UNIQUE INDEX applications_one_open ON applications(firm_id)
    WHERE state NOT IN ('rejected','withdrawn','revoked');
-- index applications_state
CREATE INDEX applications_state ON applications(jurisdiction, state, updated_at);
-- index applications_stats
CREATE INDEX applications_stats ON applications(firm_id, state, decided_at, planned_date,
    approved_headcount, category, jurisdiction, key_area, under_observation);
-- index applications_submitted
CREATE INDEX applications_submitted ON applications(submitted_at);
-- index applications_updated
CREATE INDEX applications_updated ON applications(updated_at);
-- index attachments_live_name
CREATE UNIQUE INDEX attachments_live_name ON attachments(application_id, name) WHERE removed_at IS NULL;
-- index audit_record
CREATE INDEX audit_record ON audit_events(record, seq);
-- index certificates_app
CREATE INDEX certificates_app ON certificates(application_id, state, closed_at);
-- index certificates_jurisdiction
CREATE INDEX certificates_jurisdiction ON certificates(jurisdiction, state, id);
-- index certificates_one_live
CREATE UNIQUE INDEX certificates_one_live ON certificates(application_id) WHERE state = 'issued';
-- index daily_reports_date
CREATE INDEX daily_reports_date ON daily_reports(report_date, firm_id);
-- index daily_reports_flagged
CREATE INDEX daily_reports_flagged ON daily_reports(application_id) WHERE flags <> '[]' AND flag_handled_at IS NULL;
-- index firms_division
CREATE INDEX firms_division ON firms(division, name);
-- index firms_name
CREATE INDEX firms_name ON firms(name);
-- index firms_stats
CREATE INDEX firms_stats ON firms(division, industry, created_at);
-- index review_app
CREATE INDEX review_app ON review_tasks(application_id, submission_no, stage);
-- index review_queue
CREATE INDEX review_queue ON review_tasks(department_id, state, due_at);
-- index review_tasks_decided
CREATE INDEX review_tasks_decided ON review_tasks(decided_at, state, application_id, submission_no)
    WHERE decided_at IS NOT NULL;
-- index review_tasks_dept_decided
CREATE INDEX review_tasks_dept_decided ON review_tasks(department_id, decided_at DESC, id)
    WHERE state IN ('approved', 'rejected', 'returned');
-- index review_tasks_pending_due
CREATE INDEX review_tasks_pending_due ON review_tasks(due_at, application_id) WHERE state = 'pending';
-- index roster_app
CREATE INDEX roster_app ON roster_entries(application_id, row_no);
-- index sessions_started
CREATE INDEX sessions_started ON sessions(started_at);
-- index submissions_at
CREATE INDEX submissions_at ON submissions(submitted_at, application_id);
-- table applications
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
, key_area INTEGER NOT NULL DEFAULT 0, under_observation INTEGER NOT NULL DEFAULT 0, purged_at TEXT) STRICT;
-- table attachments
CREATE TABLE attachments (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    name            TEXT NOT NULL,
    mime            TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    size            INTEGER NOT NULL CHECK (size >= 0),
    content         BLOB NOT NULL,
    added_at        TEXT NOT NULL,
    added_by        INTEGER NOT NULL REFERENCES users(id),
    removed_at      TEXT,
    removed_by      INTEGER REFERENCES users(id)
) STRICT;
-- table audit_events
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
, client TEXT) STRICT;
-- table cert_prints
CREATE TABLE cert_prints (
    id              INTEGER PRIMARY KEY,
    certificate_id  INTEGER NOT NULL REFERENCES certificates(id),
    copy_no         INTEGER NOT NULL,
    printed_at      TEXT NOT NULL,
    printed_by      INTEGER NOT NULL REFERENCES users(id),
    mark            TEXT,
    UNIQUE (certificate_id, copy_no)
) STRICT;
-- table cert_sequences
CREATE TABLE cert_sequences (
    jurisdiction  TEXT NOT NULL REFERENCES divisions(code),
    year          INTEGER NOT NULL,
    last          INTEGER NOT NULL CHECK (last > 0),
    PRIMARY KEY (jurisdiction, year)
) STRICT;
-- table certificates
CREATE TABLE certificates (
    id                  INTEGER PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    jurisdiction        TEXT NOT NULL REFERENCES divisions(code),
    year                INTEGER NOT NULL,
    seq                 INTEGER NOT NULL,
    application_id      INTEGER NOT NULL REFERENCES applications(id),
    submission_no       INTEGER NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('issued','voided','revoked')),
    firm_name           TEXT NOT NULL,
    credit_code         TEXT NOT NULL,
    address             TEXT NOT NULL,
    approved_date       TEXT NOT NULL,
    approved_headcount  INTEGER NOT NULL,
    conditions          TEXT NOT NULL,
    departments         TEXT NOT NULL,
    issue_date          TEXT NOT NULL,
    payload             TEXT NOT NULL,
    issued_at           TEXT NOT NULL,
    issued_by           INTEGER NOT NULL REFERENCES users(id),
    reason              TEXT,
    closed_at           TEXT,
    closed_by           INTEGER REFERENCES users(id),
    UNIQUE (jurisdiction, year, seq)
) STRICT;
-- table daily_reports
CREATE TABLE daily_reports (
    id                 INTEGER PRIMARY KEY,
    firm_id            INTEGER NOT NULL REFERENCES firms(id),
    application_id     INTEGER NOT NULL REFERENCES applications(id),
    report_date        TEXT NOT NULL,
    staff_on_site      INTEGER NOT NULL CHECK (staff_on_site >= 0),
    fever              INTEGER NOT NULL CHECK (fever >= 0),
    under_observation  INTEGER NOT NULL CHECK (under_observation >= 0),
    masks_remaining    INTEGER NOT NULL CHECK (masks_remaining >= 0),
    notes              TEXT NOT NULL DEFAULT '',
    filed_at           TEXT NOT NULL,
    filed_by           INTEGER NOT NULL REFERENCES users(id),
    -- 'on_time' or 'late', decided when filed against the policy's deadline.
    timeliness         TEXT NOT NULL CHECK (timeliness IN ('on_time','late')),
    -- JSON array of flag codes: 'over_headcount', 'fever'. '[]' when none.
    flags              TEXT NOT NULL DEFAULT '[]',
    flag_handled_at    TEXT,
    flag_handled_by    INTEGER REFERENCES users(id),
    flag_note          TEXT,
    UNIQUE (firm_id, report_date)
) STRICT;
-- table department_kinds
CREATE TABLE department_kinds (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('industry','countersign'))
) STRICT;
-- table departments
CREATE TABLE departments (
    id        INTEGER PRIMARY KEY,
    division  TEXT NOT NULL REFERENCES divisions(code),
    kind      TEXT NOT NULL REFERENCES department_kinds(code),
    name      TEXT NOT NULL,
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
    UNIQUE (division, kind)
) STRICT;
-- table divisions
CREATE TABLE divisions (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    short   TEXT NOT NULL,
    level   TEXT NOT NULL CHECK (level IN ('city','district','county')),
    parent  TEXT REFERENCES divisions(code)
) STRICT;
-- table firms
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
-- table firms_fts
CREATE VIRTUAL TABLE firms_fts USING fts5(name, content='firms', content_rowid='id', tokenize='trigram');
-- table imported_packages
CREATE TABLE imported_packages (
    package_id      TEXT PRIMARY KEY,
    sha256          TEXT NOT NULL,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    submission_no   INTEGER NOT NULL,
    imported_at     TEXT NOT NULL,
    imported_by     INTEGER NOT NULL REFERENCES users(id)
) STRICT;
-- table industries
CREATE TABLE industries (
    division         TEXT PRIMARY KEY,
    section          TEXT NOT NULL,
    name             TEXT NOT NULL,
    department_kind  TEXT REFERENCES department_kinds(code)
) STRICT;
-- table login_failures
CREATE TABLE login_failures (
    key             TEXT PRIMARY KEY,   -- 'user:<name>' or 'source:<address>'
    failures        INTEGER NOT NULL CHECK (failures > 0),
    last_failed_at  TEXT NOT NULL
);
-- table message_reads
CREATE TABLE message_reads (
    user_id  INTEGER NOT NULL REFERENCES users(id),
    message  TEXT NOT NULL,
    read_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, message)
) STRICT;
-- table review_tasks
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
-- table roster_entries
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
-- table sessions
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    started_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    source        TEXT NOT NULL
);
-- table settings
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;
-- table submissions
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
-- table users
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
-- trigger applications_counts_ai
CREATE TRIGGER applications_counts_ai AFTER INSERT ON applications BEGIN
    UPDATE applications SET
        key_area = COALESCE(json_extract(new.plan, '$.headcount.key_area'), 0),
        under_observation = COALESCE(json_extract(new.plan, '$.headcount.under_observation'), 0)
    WHERE id = new.id;
END;
-- trigger applications_counts_au
CREATE TRIGGER applications_counts_au AFTER UPDATE OF plan ON applications BEGIN
    UPDATE applications SET
        key_area = COALESCE(json_extract(new.plan, '$.headcount.key_area'), 0),
        under_observation = COALESCE(json_extract(new.plan, '$.headcount.under_observation'), 0)
    WHERE id = new.id;
END;
-- trigger audit_no_delete
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- trigger audit_no_update
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- trigger cert_prints_no_delete
CREATE TRIGGER cert_prints_no_delete BEFORE DELETE ON cert_prints BEGIN
    SELECT RAISE(ABORT, 'the print log is append-only');
END;
-- trigger cert_prints_no_update
CREATE TRIGGER cert_prints_no_update BEFORE UPDATE ON cert_prints BEGIN
    SELECT RAISE(ABORT, 'the print log is append-only');
END;
-- trigger certificates_closed_frozen
CREATE TRIGGER certificates_closed_frozen BEFORE UPDATE ON certificates
    WHEN old.state <> 'issued' BEGIN
    SELECT RAISE(ABORT, 'a voided or revoked certificate is never changed');
END;
-- trigger certificates_no_delete
CREATE TRIGGER certificates_no_delete BEFORE DELETE ON certificates BEGIN
    SELECT RAISE(ABORT, 'certificates are kept, void them instead');
END;
-- trigger daily_reports_frozen
CREATE TRIGGER daily_reports_frozen BEFORE UPDATE OF firm_id, application_id, report_date, staff_on_site, fever,
    under_observation, masks_remaining, notes, filed_at, filed_by, timeliness, flags ON daily_reports BEGIN
    SELECT RAISE(ABORT, 'a filed daily report is never changed');
END;
-- trigger daily_reports_no_delete
CREATE TRIGGER daily_reports_no_delete BEFORE DELETE ON daily_reports BEGIN
    SELECT RAISE(ABORT, 'daily reports are kept');
END;
-- trigger review_tasks_decided_frozen
CREATE TRIGGER review_tasks_decided_frozen BEFORE UPDATE ON review_tasks
    WHEN old.state <> 'pending' BEGIN
    SELECT RAISE(ABORT, 'a decided review task is never changed');
END;
-- trigger review_tasks_no_delete
CREATE TRIGGER review_tasks_no_delete BEFORE DELETE ON review_tasks BEGIN
    SELECT RAISE(ABORT, 'review tasks are kept');
END;
-- trigger submissions_no_delete
CREATE TRIGGER submissions_no_delete BEFORE DELETE ON submissions BEGIN
    SELECT RAISE(ABORT, 'submissions are immutable');
END;
-- trigger submissions_no_update
CREATE TRIGGER submissions_no_update BEFORE UPDATE ON submissions BEGIN
    SELECT RAISE(ABORT, 'submissions are immutable');
END;

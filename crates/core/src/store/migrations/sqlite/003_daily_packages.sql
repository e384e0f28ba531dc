-- Daily reports after reopening, attachments of an application, and imported application packages.

-- One report per firm per local day (Asia/Shanghai). A filed report is never changed; only the
-- department's follow-up of its flags is recorded on it.
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
CREATE INDEX daily_reports_date ON daily_reports(report_date, firm_id);
CREATE INDEX daily_reports_flagged ON daily_reports(application_id) WHERE flags <> '[]' AND flag_handled_at IS NULL;
CREATE TRIGGER daily_reports_frozen BEFORE UPDATE OF firm_id, application_id, report_date, staff_on_site, fever,
    under_observation, masks_remaining, notes, filed_at, filed_by, timeliness, flags ON daily_reports BEGIN
    SELECT RAISE(ABORT, 'a filed daily report is never changed');
END;
CREATE TRIGGER daily_reports_no_delete BEFORE DELETE ON daily_reports BEGIN
    SELECT RAISE(ABORT, 'daily reports are kept');
END;

-- Files that come with an application (e.g. the signed commitment scanned), kept with their digest.
-- A removed or replaced attachment is kept, marked removed: what was once submitted is never lost.
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
CREATE UNIQUE INDEX attachments_live_name ON attachments(application_id, name) WHERE removed_at IS NULL;

-- Application packages imported at the counter: one import per package, never two.
CREATE TABLE imported_packages (
    package_id      TEXT PRIMARY KEY,
    sha256          TEXT NOT NULL,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    submission_no   INTEGER NOT NULL,
    imported_at     TEXT NOT NULL,
    imported_by     INTEGER NOT NULL REFERENCES users(id)
) STRICT;

-- Statistics by day read these without touching the (large) rows: covering indexes.
CREATE INDEX applications_decided ON applications(decided_at);
CREATE INDEX applications_submitted ON applications(submitted_at);
CREATE INDEX submissions_at ON submissions(submitted_at, application_id);
CREATE INDEX review_tasks_decided ON review_tasks(decided_at, state, application_id, submission_no)
    WHERE decided_at IS NOT NULL;
CREATE INDEX firms_stats ON firms(division, industry, created_at);

-- Staff from key areas and under observation, as the plan says, kept beside it by triggers so that
-- statistics read them from an index instead of parsing every plan.
ALTER TABLE applications ADD COLUMN key_area INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN under_observation INTEGER NOT NULL DEFAULT 0;
UPDATE applications SET
    key_area = COALESCE(json_extract(plan, '$.headcount.key_area'), 0),
    under_observation = COALESCE(json_extract(plan, '$.headcount.under_observation'), 0);
CREATE TRIGGER applications_counts_ai AFTER INSERT ON applications BEGIN
    UPDATE applications SET
        key_area = COALESCE(json_extract(new.plan, '$.headcount.key_area'), 0),
        under_observation = COALESCE(json_extract(new.plan, '$.headcount.under_observation'), 0)
    WHERE id = new.id;
END;
CREATE TRIGGER applications_counts_au AFTER UPDATE OF plan ON applications BEGIN
    UPDATE applications SET
        key_area = COALESCE(json_extract(new.plan, '$.headcount.key_area'), 0),
        under_observation = COALESCE(json_extract(new.plan, '$.headcount.under_observation'), 0)
    WHERE id = new.id;
END;
-- Every column statistics read per application, so that its pass never touches the plans.
CREATE INDEX applications_stats ON applications(firm_id, state, decided_at, planned_date,
    approved_headcount, category, jurisdiction, key_area, under_observation);
-- When the personal data of a closed case was purged (retention), if it was.
ALTER TABLE applications ADD COLUMN purged_at TEXT;
-- Stages past their deadline, without visiting decided tasks.
CREATE INDEX review_tasks_pending_due ON review_tasks(due_at, application_id) WHERE state = 'pending';

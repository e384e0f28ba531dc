-- Certificates (复工复产批准通知书): gapless numbering per jurisdiction and year, print log.

CREATE TABLE cert_sequences (
    jurisdiction  TEXT NOT NULL REFERENCES divisions(code),
    year          INTEGER NOT NULL,
    last          INTEGER NOT NULL CHECK (last > 0),
    PRIMARY KEY (jurisdiction, year)
) STRICT;

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
-- One live certificate per application; a voided one keeps its number, listed.
CREATE UNIQUE INDEX certificates_one_live ON certificates(application_id) WHERE state = 'issued';
CREATE INDEX certificates_jurisdiction ON certificates(jurisdiction, state, id);
CREATE TRIGGER certificates_no_delete BEFORE DELETE ON certificates BEGIN
    SELECT RAISE(ABORT, 'certificates are kept, void them instead');
END;
CREATE TRIGGER certificates_closed_frozen BEFORE UPDATE ON certificates
    WHEN old.state <> 'issued' BEGIN
    SELECT RAISE(ABORT, 'a voided or revoked certificate is never changed');
END;

CREATE TABLE cert_prints (
    id              INTEGER PRIMARY KEY,
    certificate_id  INTEGER NOT NULL REFERENCES certificates(id),
    copy_no         INTEGER NOT NULL,
    printed_at      TEXT NOT NULL,
    printed_by      INTEGER NOT NULL REFERENCES users(id),
    mark            TEXT,
    UNIQUE (certificate_id, copy_no)
) STRICT;
CREATE TRIGGER cert_prints_no_update BEFORE UPDATE ON cert_prints BEGIN
    SELECT RAISE(ABORT, 'the print log is append-only');
END;
CREATE TRIGGER cert_prints_no_delete BEFORE DELETE ON cert_prints BEGIN
    SELECT RAISE(ABORT, 'the print log is append-only');
END;

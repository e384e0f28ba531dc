-- The message centre's read markers (see the SQLite migration 009_message_reads.sql): the
-- messages themselves are derived from submissions, review tasks, applications and certificates.
CREATE TABLE message_reads (
    user_id  BIGINT NOT NULL REFERENCES users(id),
    message  TEXT NOT NULL,
    read_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, message)
);

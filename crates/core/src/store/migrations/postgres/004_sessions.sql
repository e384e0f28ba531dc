-- Sessions of a server (see the SQLite migration 008_sessions.sql): the SHA-256 of each token.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users(id),
    started_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    source        TEXT NOT NULL
);
CREATE INDEX sessions_started ON sessions(started_at);

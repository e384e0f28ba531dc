-- Sessions of a server (`reopen serve`): a login answers an opaque random token; only its SHA-256
-- is kept, so a copy of the database gives nobody a session. Kept in the database, not in a
-- server's memory, so that several servers behind one address share them. A session ends by
-- logout (its row deleted), and the core ends it when its user was disabled, changed password,
-- was idle 30 minutes or logged in 12 hours ago (service::login::session_check).
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    started_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    source        TEXT NOT NULL
);
CREATE INDEX sessions_started ON sessions(started_at);

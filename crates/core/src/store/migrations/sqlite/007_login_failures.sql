-- Failed logins replace the hard lock (users.failed_logins / users.locked_until, no longer used):
-- counted by user name, whether or not such a user exists, so that the answer never tells which
-- names are accounts, and by source (the PC or client address), each with the time of the last
-- failure. The wait before the next attempt grows with the count (domain::auth::login_delay).
CREATE TABLE login_failures (
    key             TEXT PRIMARY KEY,   -- 'user:<name>' or 'source:<address>'
    failures        INTEGER NOT NULL CHECK (failures > 0),
    last_failed_at  TEXT NOT NULL
);

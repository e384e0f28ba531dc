-- Issue 6 (scale): the application list pages newest first (ORDER BY updated_at DESC, id DESC).
-- Without an index on updated_at every page read and sorted all applications (22 ms at city scale,
-- 30,000 applications); with it a page walks the index from the newest and stops after 50 rows.
-- The rowid (id) is the tail of every index, so (updated_at) also gives the id tie-break.
CREATE INDEX applications_updated ON applications(updated_at);
-- The firm list pages by name (ORDER BY name, id): all firms, and a two-character name fragment that
-- the trigram index cannot serve (LIKE '%xx%') walk this index in order and stop after the page.
CREATE INDEX firms_name ON firms(name);

-- Firm search by any fragment of a name on an index: pg_trgm's GIN index serves LIKE '%…%'. The
-- database must be created with LC_CTYPE C.UTF-8 (or another UTF-8 locale): under LC_CTYPE C the
-- trigrams of Chinese text are empty and the index finds nothing. Where the extension cannot be
-- created (not installed, or the owner may not), search falls back to a scan with plain LIKE.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX firms_name_trgm ON firms USING gin (name gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%): firm search scans the names', SQLERRM;
END $$;

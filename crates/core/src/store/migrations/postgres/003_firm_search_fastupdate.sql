-- The trigram index takes each new name into its tree at once (fastupdate off). With GIN's
-- default, new entries wait in a pending list that every search reads from end to end until a
-- vacuum merges it: after a migration of 20,000 firms a search by name took 4-7 ms in that list
-- instead of 0.1 ms in the tree. Firms are registered one at a time, so the slower insert costs
-- nothing that matters; entries already pending are merged now.
DO $$
BEGIN
    IF to_regclass('firms_name_trgm') IS NOT NULL THEN
        ALTER INDEX firms_name_trgm SET (fastupdate = off);
        PERFORM gin_clean_pending_list('firms_name_trgm');
    END IF;
END $$;

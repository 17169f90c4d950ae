-- Only an event that carries the client's id can be a repeat, so only those need an entry in the
-- index that finds repeats. Each entry of an index that leads with the user lands on a page of
-- its own user, scattered over the index: once events outgrow memory, each costs a page read and,
-- after every checkpoint, the whole page in the WAL (bench/RESULTS.md, "Events without an id
-- leave the repeats index").
--
-- Building the index holds writes to events until it commits (about 80 s for 50,000,000 events on
-- the benchmark machine). The README says how to build it beforehand without that pause; this then
-- only drops the old constraint.

-- A concurrent build that failed leaves an invalid index of that name behind: built again here.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE c.relname = 'events_user_client_id' AND NOT i.indisvalid) THEN
        DROP INDEX events_user_client_id;
    END IF;
END $$;
CREATE UNIQUE INDEX IF NOT EXISTS events_user_client_id ON events (user_id, client_id) WHERE client_id IS NOT NULL;
ALTER TABLE events DROP CONSTRAINT IF EXISTS events_user_id_client_id_key;

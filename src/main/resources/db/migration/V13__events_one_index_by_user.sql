-- One index that leads with the user instead of two. A stored event adds an entry to each such
-- index on a page of its own user's, scattered over the index; the two together made the pages a
-- burst of events touches twice what one does, past the shared buffers of a small database server
-- (bench/RESULTS.md, "One index by user for events"). What the dropped (user_id, id) index served,
-- a user's events newest first, this one serves with the ids it carries: the ids are read from the
-- index alone, then only the page's rows from the table.
--
-- Building the index holds writes to events until it commits (66 s for 50,000,000 events on the
-- benchmark machine). The README says how to build it beforehand without that pause; this
-- then only drops the two old indexes.

-- A concurrent build that failed leaves an invalid index of that name behind: built again here.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE c.relname = 'events_user_name_time_id' AND NOT i.indisvalid) THEN
        DROP INDEX events_user_name_time_id;
    END IF;
END $$;
CREATE INDEX IF NOT EXISTS events_user_name_time_id ON events (user_id, name, time DESC) INCLUDE (id);
DROP INDEX IF EXISTS events_user_name_time;
DROP INDEX IF EXISTS events_user_id;

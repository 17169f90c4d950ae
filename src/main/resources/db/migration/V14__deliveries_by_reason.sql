-- Deliveries that ended without being delivered (FAILED, SKIPPED, CANCELLED), found by their
-- reason, newest first. Listing them walked the primary key from the newest delivery of all and
-- read every row until a page was full: in a history of millions of DELIVERED rows with few
-- failures, most of the table for one page (bench/RESULTS.md, "Lists of deliveries at size").
-- The index holds only rows that have a reason, and the reason is what it is keyed on, not the
-- status: a claim changes the status (PENDING to SENDING) and no indexed column, which keeps it
-- a HOT update (V10); an indexed status would cost every claim an entry in every index.
--
-- Every delivery of those three statuses has a reason and no other has one, so that a status is
-- listed as the union of its reasons; the constraint holds new rows to it. It is not validated
-- against the rows already stored (that would read the whole table), which every version has
-- written so.
--
-- Building the index reads the whole table and holds writes to deliveries until it commits. The
-- README says how to build it beforehand without that pause; this then finds it.

-- A concurrent build that failed leaves an invalid index of that name behind: built again here.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE c.relname = 'deliveries_reason' AND NOT i.indisvalid) THEN
        DROP INDEX deliveries_reason;
    END IF;
END $$;
CREATE INDEX IF NOT EXISTS deliveries_reason ON deliveries (reason, id) WHERE reason IS NOT NULL;

ALTER TABLE deliveries ADD CONSTRAINT deliveries_reason_when_not_delivered
    CHECK ((reason IS NOT NULL) = (status IN ('FAILED', 'SKIPPED', 'CANCELLED'))) NOT VALID;

-- The index of unfinished deliveries is now partial on finished_at IS NULL instead of on the
-- status, so that only the statements that walk unfinished deliveries on purpose (claims, the due
-- count) can use it: they say finished_at IS NULL; statements that find deliveries by id or by
-- entry and check their status do not, and Postgres cannot prove the index's condition from a
-- status. With the index on the status, a table of finished history had statistics that said
-- almost no delivery is unfinished until the next ANALYZE, which a table of millions of rows gets
-- after as many changes; the planner then took this index, thought empty, to record each outcome
-- and walked every unfinished delivery for each (bench/dispatch with 400,000 finished deliveries
-- stored: 5,295 → 1,185 webhooks/s; bench/RESULTS.md).
UPDATE deliveries SET finished_at = updated_at
    WHERE finished_at IS NULL AND status NOT IN ('PENDING', 'SENDING');
UPDATE deliveries SET finished_at = NULL
    WHERE finished_at IS NOT NULL AND status IN ('PENDING', 'SENDING');
ALTER TABLE deliveries ADD CONSTRAINT deliveries_finished_when_final
    CHECK ((finished_at IS NULL) = (status IN ('PENDING', 'SENDING')));

CREATE INDEX deliveries_unfinished ON deliveries (host, due_at) WHERE finished_at IS NULL;
DROP INDEX deliveries_host_due;

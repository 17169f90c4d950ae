-- A claim and a stored rendering change no indexed column of a delivery, so Postgres can write
-- the new version beside the old one without an entry in any index (a HOT update) -- when the
-- page has room for it. Fan-out fills pages to the brim, so most of these updates went to another
-- page and added an entry to each of the five indexes (bench/dispatch, 200,000 users: 66,889 of
-- 600,000 updates HOT). Half of each page is now left free when rows are written: 284,528 of
-- 600,000 were HOT, of the 400,000 that can be. Fan-out to 1,000,000 users did not slow down
-- (bench/RESULTS.md). Recording an outcome changes finished_at and due_at, indexed, so it is
-- never HOT.
ALTER TABLE deliveries SET (fillfactor = 50);

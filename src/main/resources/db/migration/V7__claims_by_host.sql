-- Claims take each destination host's due deliveries up to what that host can still take, so
-- the rows of a host whose requests are all in flight (or whose breaker is open) are never
-- walked: with one index on due time alone, a claim read every due delivery of a busy host to
-- find none (122,400 rows, 31 ms, in bench/dispatch). Hosts with unfinished deliveries are
-- found by stepping through this index one host at a time.
CREATE INDEX deliveries_host_due ON deliveries (host, due_at) WHERE status IN ('PENDING', 'SENDING');
DROP INDEX deliveries_due;

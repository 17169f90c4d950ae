-- The SQL halves of definitions the in-memory evaluator shares (dev.herald.audience), so that a
-- criteria tree gives the same answer in SQL and in Java.

-- A string that is an ISO-8601 instant with Z or an offset, as a timestamptz; NULL for any other
-- string. The pattern is the one Java uses (Instants.PATTERN): it leaves out forms only one side
-- would accept (hour 24, second 60, year 0, offsets past 14:59, more than 6 fraction digits).
CREATE FUNCTION herald_instant(t text) RETURNS timestamptz
-- Not PARALLEL SAFE: its exception handler needs a subtransaction.
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    IF t !~ '^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])$' THEN
        RETURN NULL;
    END IF;
    RETURN t::timestamptz;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;

-- A user's stable bucket, 0 to 999: the first 32 bits of the MD5 of the id, modulo 1000.
CREATE FUNCTION herald_bucket(id text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT (('x' || substr(md5(id), 1, 8))::bit(32)::bigint % 1000)::integer
$$;

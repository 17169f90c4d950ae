-- A run to a million users writes a million deliveries in one statement. What each row costs
-- decides how long that takes, so deliveries keep only what reads and uniqueness need
-- (bench/RESULTS.md has the measurements).

-- Foreign keys cost a lookup per row written. Deleting a campaign or a user now deletes its
-- deliveries explicitly, in the same statement. A delivery written for a user deleted while its
-- run was being written is skipped when due (reason USER_DELETED).
ALTER TABLE deliveries
    DROP CONSTRAINT deliveries_campaign_id_fkey,
    DROP CONSTRAINT deliveries_entry_id_fkey,
    DROP CONSTRAINT deliveries_user_id_fkey;

-- An entry (a user's passage through a campaign, per run or per triggering event) is the set of
-- deliveries that share its entry_id, one per action; the first action's delivery carries its
-- time. One unique index says both "one entry per (campaign, user, run or event)" and "one
-- delivery per (entry, action)". Its (campaign_id, user_id) prefix serves per-user limits, exits,
-- and, campaign by campaign, a user's deliveries, so deliveries need no index by user.
-- A table of entries beside it cost a second row and three more index entries per user of a
-- run. Every entry has a delivery per action, so the table holds nothing the deliveries lack.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_entry_id_action_id_key;
CREATE UNIQUE INDEX deliveries_entry ON deliveries (campaign_id, user_id, (coalesce(run_id, event_id)), action_index);
DROP TABLE entries;
DROP INDEX deliveries_user;

-- Ids grow with time, so an ascending index appends them at its right edge; a descending one
-- inserts each at the left of its key's range and splits pages half full. Postgres reads either
-- backwards for "newest first".
DROP INDEX deliveries_campaign;
CREATE INDEX deliveries_campaign ON deliveries (campaign_id, id);
DROP INDEX events_user_id;
CREATE INDEX events_user_id ON events (user_id, id);

-- The n-th of a series of UUIDv7 ids that share a time stamp: the high half as given, the low
-- half's 62 random bits advanced by n. A set-based insert numbers its rows instead of calling
-- herald_uuid_v7() for each, which costs a random draw per row (seconds per million).
CREATE FUNCTION herald_uuid_at(high bigint, low bigint, n bigint) RETURNS uuid
-- Not STRICT, so that Postgres inlines it into the statement.
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT encode(int8send(high) || int8send(((low + n) & 4611686018427387903) | -9223372036854775808), 'hex')::uuid
$$;

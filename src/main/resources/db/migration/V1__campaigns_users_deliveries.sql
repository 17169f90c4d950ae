-- Time-ordered ids (UUID version 7) for rows that set-based SQL creates: 48 bits of Unix
-- milliseconds, then random bits from gen_random_uuid() with the version nibble set to 7.
CREATE FUNCTION herald_uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE AS $$
  SELECT encode(
           set_bit(set_bit(
             overlay(uuid_send(gen_random_uuid())
                     PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                     FROM 1 FOR 6),
             52, 1), 53, 1),
           'hex')::uuid
$$;

CREATE TABLE campaigns (
    id            uuid PRIMARY KEY,
    name          text        NOT NULL,
    description   text,
    status        text        NOT NULL CHECK (status IN ('DRAFT', 'ACTIVE', 'PAUSED', 'FINISHED')),
    -- json, not jsonb: a campaign reads back exactly as written, keys in the client's order
    -- (form bodies are built from data in that order).
    delivery      json        NOT NULL,
    delivery_type text        GENERATED ALWAYS AS (delivery ->> 'type') STORED,
    audience      json,
    limits        json,
    exit_on       json,
    -- The actions, in order, secrets included; views mask the secrets.
    actions       json        NOT NULL,
    -- Signing secrets replaced by a rotation, by action id, with the time they stop signing.
    retired_secrets json,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    started_at    timestamptz,
    finished_at   timestamptz,
    next_run_at   timestamptz
);
CREATE INDEX campaigns_status ON campaigns (status, id DESC);

CREATE TABLE users (
    id         text PRIMARY KEY CHECK (char_length(id) BETWEEN 1 AND 128),
    attributes jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX users_created ON users (created_at DESC, id DESC);

-- One pass over the audience at one time. fire_time is set for scheduled runs only: one run per
-- (campaign, fire time), enforced here rather than by care.
CREATE TABLE runs (
    id            uuid PRIMARY KEY,
    campaign_id   uuid        NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    kind          text        NOT NULL CHECK (kind IN ('MANUAL', 'SCHEDULED')),
    fire_time     timestamptz,
    status        text        NOT NULL,
    audience_size integer     NOT NULL DEFAULT 0,
    data          jsonb,
    created_at    timestamptz NOT NULL,
    UNIQUE (campaign_id, fire_time)
);
CREATE INDEX runs_campaign ON runs (campaign_id, id DESC);

-- A user's passage through a campaign: per run, or per triggering event.
CREATE TABLE entries (
    id          uuid PRIMARY KEY DEFAULT herald_uuid_v7(),
    campaign_id uuid        NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    user_id     text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    run_id      uuid REFERENCES runs (id) ON DELETE CASCADE,
    event_id    uuid,
    created_at  timestamptz NOT NULL,
    UNIQUE (campaign_id, user_id, run_id),
    UNIQUE (campaign_id, user_id, event_id)
);
CREATE INDEX entries_user ON entries (user_id);
CREATE INDEX entries_run ON entries (run_id);

-- One webhook: one action for one user for one entry. Stored before it is sent.
CREATE TABLE deliveries (
    id               uuid PRIMARY KEY DEFAULT herald_uuid_v7(),
    campaign_id      uuid        NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    entry_id         uuid REFERENCES entries (id) ON DELETE CASCADE,
    run_id           uuid,
    user_id          text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    action_id        uuid        NOT NULL,
    action_index     integer     NOT NULL,
    -- host[:port] of the action's URL (hosts are literal), for per-host limits and breakers.
    host             text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('PENDING', 'SENDING', 'DELIVERED', 'FAILED', 'SKIPPED', 'CANCELLED')),
    reason           text,
    test             boolean     NOT NULL DEFAULT false,
    -- When the delivery is next due; NULL while it waits for the entry's previous action to end.
    due_at           timestamptz,
    locked_until     timestamptz,
    attempt_count    integer     NOT NULL DEFAULT 0,
    -- The rendered request (method, url without credentials, headers in sending order, body),
    -- written once.
    request          json,
    -- The Basic credentials taken from the URL; never shown.
    credentials      text,
    last_status_code integer,
    last_error       text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    UNIQUE (entry_id, action_id)
);
CREATE INDEX deliveries_due ON deliveries (due_at) WHERE status IN ('PENDING', 'SENDING');
CREATE INDEX deliveries_campaign ON deliveries (campaign_id, id DESC);
CREATE INDEX deliveries_user ON deliveries (user_id, id DESC);
CREATE INDEX deliveries_run ON deliveries (run_id) WHERE run_id IS NOT NULL;

CREATE TABLE attempts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id      uuid        NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    -- Attempt number since the delivery was created or last replayed.
    number           integer     NOT NULL,
    started_at       timestamptz NOT NULL,
    latency_ms       integer     NOT NULL,
    status_code      integer,
    error            text,
    response_headers jsonb,
    response_body    text
);
CREATE INDEX attempts_delivery ON attempts (delivery_id, id);

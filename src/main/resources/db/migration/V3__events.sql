-- Events the app tracks for its users; they trigger campaigns and feed event criteria.
CREATE TABLE events (
    id          uuid PRIMARY KEY,
    user_id     text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text        NOT NULL,
    -- The client's own id of the event: a repeat with the same (user, id) is a duplicate.
    client_id   text,
    params      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    time        timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    UNIQUE (user_id, client_id)
);
CREATE INDEX events_user_name_time ON events (user_id, name, time DESC);
CREATE INDEX events_user_id ON events (user_id, id DESC);

-- The event that started a triggered delivery's entry; templates read it as {event.*}.
ALTER TABLE deliveries ADD COLUMN event_id uuid;

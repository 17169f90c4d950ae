-- limits.maxPerMinute, where the claim of due deliveries can read it.
ALTER TABLE campaigns ADD COLUMN max_per_minute integer
    GENERATED ALWAYS AS ((limits ->> 'maxPerMinute')::integer) STORED;

-- Webhooks claimed per campaign and clock minute, for campaigns with maxPerMinute. Every
-- instance's claim counts here under the row's lock, so the limit holds across instances.
CREATE TABLE campaign_minutes (
    campaign_id uuid        NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    minute      timestamptz NOT NULL,
    claimed     integer     NOT NULL,
    -- What the last claim was granted: up to what it asked for, within what the minute had left.
    granted     integer     NOT NULL,
    -- Due deliveries this minute could not take, put off to the following minutes in turn: the
    -- next one put off takes the place after them.
    put_off     integer     NOT NULL,
    PRIMARY KEY (campaign_id, minute)
);

-- A run writes its audience in committed chunks, in user id order, so a send answers at once
-- whatever the audience's size, sending starts with the first chunk, and a run interrupted by a
-- crash is taken up again where it stopped: `cursor` is the last user id written (each chunk
-- and its cursor commit together), `users_written` the users read so far, `entered` the entries
-- made (a user at a per-user cap is read but does not enter), `writing` true until the last
-- chunk. `user_ids` narrows a send to those users. Runs from before this were written at once.
ALTER TABLE runs
    ADD COLUMN user_ids      text[],
    ADD COLUMN cursor        text,
    ADD COLUMN users_written integer NOT NULL DEFAULT 0,
    ADD COLUMN entered       integer NOT NULL DEFAULT 0,
    ADD COLUMN writing       boolean NOT NULL DEFAULT false;
-- Known once the last chunk is written.
ALTER TABLE runs ALTER COLUMN audience_size DROP NOT NULL, ALTER COLUMN audience_size DROP DEFAULT;
CREATE INDEX runs_writing ON runs (id) WHERE writing;

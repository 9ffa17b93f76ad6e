-- 0005 (feeds out): the append-only log behind the RFC 5005 paged/archived re-exported feeds.
-- feed_log: one row each time a story (cluster) first enters a feed or changes; rows are never updated or
-- deleted, so the assignment of stories to archive pages (seq ranges) never changes.
CREATE TABLE feed_log (
    feed_key    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    story_id    TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    updated     TEXT NOT NULL,
    logged_at   TEXT NOT NULL,
    PRIMARY KEY (feed_key, seq)
);
CREATE INDEX feed_log_story ON feed_log (feed_key, story_id);

-- feed_pages: the bytes of archive documents once they are frozen; written once, never replaced.
CREATE TABLE feed_pages (
    feed_key  TEXT NOT NULL,
    page      INTEGER NOT NULL,
    format    TEXT NOT NULL,
    body      BLOB NOT NULL,
    frozen_at TEXT NOT NULL,
    PRIMARY KEY (feed_key, page, format)
);

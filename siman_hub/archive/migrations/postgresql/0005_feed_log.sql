-- 0005 (PostgreSQL twin of sqlite/0005_feed_log.sql; see there for the append-only rules). BLOB -> BYTEA.
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

CREATE TABLE feed_pages (
    feed_key  TEXT NOT NULL,
    page      INTEGER NOT NULL,
    format    TEXT NOT NULL,
    body      BYTEA NOT NULL,
    frozen_at TEXT NOT NULL,
    PRIMARY KEY (feed_key, page, format)
);

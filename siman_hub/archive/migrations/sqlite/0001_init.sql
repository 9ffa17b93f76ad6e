-- 0001: items, sources state, fetch log, refine results.
CREATE TABLE sources (
    source_id        TEXT PRIMARY KEY,
    feed_url         TEXT,
    etag             TEXT,
    last_modified    TEXT,
    body_hash        TEXT,
    last_status      INTEGER,
    last_fetch_at    TEXT,
    last_success_at  TEXT,
    last_new_item_at TEXT,
    next_fetch_at    TEXT,
    failures         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    disabled_reason  TEXT,
    identity_mode    TEXT,
    feed_title       TEXT,
    feed_link        TEXT
);

CREATE TABLE items (
    id            INTEGER PRIMARY KEY,
    source_id     TEXT NOT NULL,
    key           TEXT NOT NULL,
    guid          TEXT,
    url           TEXT,
    canonical_url TEXT,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',
    content       TEXT NOT NULL DEFAULT '',
    author        TEXT,
    categories    TEXT NOT NULL DEFAULT '[]',
    image         TEXT,
    enclosures    TEXT NOT NULL DEFAULT '[]',
    published     TEXT,
    updated       TEXT,
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    sort_date     TEXT NOT NULL,
    changed_at    TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    raw           TEXT NOT NULL DEFAULT '{}',
    cluster_id    TEXT,
    UNIQUE (source_id, key)
);
CREATE INDEX items_sort ON items (sort_date DESC);
CREATE INDEX items_cluster ON items (cluster_id);
CREATE INDEX items_canonical_url ON items (canonical_url);

CREATE TABLE fetch_log (
    id            INTEGER PRIMARY KEY,
    source_id     TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    duration_ms   INTEGER NOT NULL,
    status        INTEGER,
    bytes         INTEGER NOT NULL DEFAULT 0,
    items_new     INTEGER NOT NULL DEFAULT 0,
    items_updated INTEGER NOT NULL DEFAULT 0,
    error         TEXT,
    url           TEXT
);
CREATE INDEX fetch_log_source ON fetch_log (source_id, started_at DESC);

CREATE TABLE tags (
    item_id      INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    program_id   TEXT NOT NULL,
    rule         TEXT NOT NULL,
    matched      TEXT NOT NULL DEFAULT '[]',
    rule_version TEXT NOT NULL,
    PRIMARY KEY (item_id, program_id)
);
CREATE INDEX tags_program ON tags (program_id);

-- 0003 (PostgreSQL twin of sqlite/0003_refine.sql; see there for what each table holds).
-- SQLite INTEGER is 64-bit, so every integer here is BIGINT (MinHash band keys and ids need the range).
CREATE TABLE refine_items (
    item_id      BIGINT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    content_hash TEXT NOT NULL,
    auto_cluster TEXT NOT NULL,
    at           BIGINT NOT NULL,
    matched      BIGINT,
    reason       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX refine_items_cluster ON refine_items (auto_cluster);

CREATE TABLE refine_keys (
    key     BIGINT NOT NULL,
    item_id BIGINT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX refine_keys_key ON refine_keys (key);
CREATE INDEX refine_keys_item ON refine_keys (item_id);

CREATE TABLE refine_state (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE cluster_aliases (
    old_id TEXT PRIMARY KEY,
    new_id TEXT NOT NULL
);

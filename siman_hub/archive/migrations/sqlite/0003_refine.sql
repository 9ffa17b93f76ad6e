-- 0003: refine state, so incremental runs cluster and tag only new or changed items.
-- refine_items: what each item looked like when it was last refined, and its automatic cluster
-- (before editors' overrides; items.cluster_id holds the final one).
CREATE TABLE refine_items (
    item_id      INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    content_hash TEXT NOT NULL,
    auto_cluster TEXT NOT NULL,
    at           INTEGER NOT NULL,
    matched      INTEGER,
    reason       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX refine_items_cluster ON refine_items (auto_cluster);

-- refine_keys: candidate keys (canonical URL, normalized title, MinHash-LSH bands) per item.
CREATE TABLE refine_keys (
    key     INTEGER NOT NULL,
    item_id INTEGER NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX refine_keys_key ON refine_keys (key);
CREATE INDEX refine_keys_item ON refine_keys (item_id);

-- refine_state: rule version, clustering version, overrides digest and the applied override maps.
CREATE TABLE refine_state (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- cluster_aliases: ids retired by an editor's merge, pointing at the id that absorbed them.
CREATE TABLE cluster_aliases (
    old_id TEXT PRIMARY KEY,
    new_id TEXT NOT NULL
);

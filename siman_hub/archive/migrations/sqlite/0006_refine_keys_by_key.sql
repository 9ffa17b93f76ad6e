-- 0006: refine_keys clustered by key (WITHOUT ROWID, primary key (key, item_id)).
-- A candidate lookup reads one b-tree range instead of an index and then the table, and a from-scratch run
-- loads its keys in key order by appending pages, keeping one secondary index (item_id: replacing a changed
-- item's keys) instead of two. The keys are derived data: forgetting the clustering version below makes the
-- next refine run a full one, which rebuilds them (cluster ids survive: they are derived from the founders).
DROP TABLE refine_keys;
CREATE TABLE refine_keys (
    key     INTEGER NOT NULL,
    item_id INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (key, item_id)
) WITHOUT ROWID;
CREATE INDEX refine_keys_item ON refine_keys (item_id);
DELETE FROM refine_items;
DELETE FROM refine_state WHERE name = 'cluster_version';

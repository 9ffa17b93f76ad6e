-- 0006 (PostgreSQL twin of sqlite/0006_refine_keys_by_key.sql; see there for why).
-- The primary key (key, item_id) serves candidate lookups, so the separate key index goes.
DROP TABLE refine_keys;
CREATE TABLE refine_keys (
    key     BIGINT NOT NULL,
    item_id BIGINT NOT NULL,
    at      BIGINT NOT NULL,
    PRIMARY KEY (key, item_id)
);
CREATE INDEX refine_keys_item ON refine_keys (item_id);
DELETE FROM refine_items;
DELETE FROM refine_state WHERE name = 'cluster_version';

-- 0002 (PostgreSQL twin of sqlite/0002_fetch_policy.sql; see there for what each column means).
ALTER TABLE sources ADD COLUMN configured_url TEXT;
ALTER TABLE sources ADD COLUMN cache_until TEXT;
ALTER TABLE sources ADD COLUMN retry_after_until TEXT;
ALTER TABLE sources ADD COLUMN permanent_redirect TEXT;
ALTER TABLE sources ADD COLUMN discovered_from TEXT;
ALTER TABLE sources ADD COLUMN identity_note TEXT;
ALTER TABLE sources ADD COLUMN ua_fallback INTEGER NOT NULL DEFAULT 0;

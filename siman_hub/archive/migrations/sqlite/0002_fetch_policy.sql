-- 0002 (ingest): what polite, resumable fetching needs to remember per feed.
--   configured_url     the feeds.yaml URL the state belongs to (an edited URL resets redirects/discovery)
--   cache_until        Cache-Control max-age / Expires: do not ask again before this
--   retry_after_until  Retry-After on 429/503
--   permanent_redirect report of a 301/308 that moved the stored feed URL ("old -> new")
--   discovered_from    report of HTML autodiscovery ("page -> feed")
--   identity_note      why identity degraded (e.g. "guid: 40% empty or repeated")
--   ua_fallback        1 when only the browser-like User-Agent got through (403 to ours)
ALTER TABLE sources ADD COLUMN configured_url TEXT;
ALTER TABLE sources ADD COLUMN cache_until TEXT;
ALTER TABLE sources ADD COLUMN retry_after_until TEXT;
ALTER TABLE sources ADD COLUMN permanent_redirect TEXT;
ALTER TABLE sources ADD COLUMN discovered_from TEXT;
ALTER TABLE sources ADD COLUMN identity_note TEXT;
ALTER TABLE sources ADD COLUMN ua_fallback INTEGER NOT NULL DEFAULT 0;

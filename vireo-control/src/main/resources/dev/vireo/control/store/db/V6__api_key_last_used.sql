-- When each API key last opened the API (issue 16's API-keys page): written at most once a
-- minute per key, so a busy client does not write the store on every request. NULL: never used.
ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;

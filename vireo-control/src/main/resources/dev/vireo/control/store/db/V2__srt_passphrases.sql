-- SRT passphrases per ingest domain (issue 14). Kept like the signing keys: the server needs the
-- secret itself (libsrt derives the stream key from it), so it is stored as given and never shown.
CREATE TABLE srt_passphrases (
    domain      VARCHAR(253)  PRIMARY KEY REFERENCES domains (name) ON DELETE CASCADE,
    passphrase  VARCHAR(79)   NOT NULL,
    updated_at  BIGINT        NOT NULL
);

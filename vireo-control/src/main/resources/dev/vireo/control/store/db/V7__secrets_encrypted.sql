-- Secrets at rest (issue 17): signing keys, webhook URLs and secrets, SRT passphrases and TLS private
-- keys are stored sealed with the store key (AES-256-GCM, "v1:" + Base64 of nonce, ciphertext and
-- tag: about 4/3 of the clear length plus 40 characters), so the columns are widened. The clear
-- values already here are sealed by the migration's Java step (StoreSecrets.sealClearValues), in the
-- same transaction. store_key holds one value sealed under the key: a node started with another key
-- fails at start (StoreSecrets.verifyKey) instead of mis-reading. H2 commits each DDL statement at once: a V7
-- cut short leaves this table without its schema_version row, so it is created only if missing.
ALTER TABLE domains ALTER COLUMN signing_primary_key SET DATA TYPE VARCHAR(512);
ALTER TABLE domains ALTER COLUMN signing_secondary_key SET DATA TYPE VARCHAR(512);
ALTER TABLE domains ALTER COLUMN notify_url SET DATA TYPE VARCHAR(4096);
ALTER TABLE domains ALTER COLUMN notify_secret SET DATA TYPE VARCHAR(512);
ALTER TABLE srt_passphrases ALTER COLUMN passphrase SET DATA TYPE VARCHAR(512);
ALTER TABLE certificates ALTER COLUMN private_key_pem SET DATA TYPE VARCHAR(32768);
CREATE TABLE IF NOT EXISTS store_key (
    id           INT           PRIMARY KEY,
    key_id       VARCHAR(64)   NOT NULL,
    check_value  VARCHAR(256)  NOT NULL,
    created_at   BIGINT        NOT NULL
);

-- Recording (DVR) rules per domain/app/stream (issue 15). "*" as app or stream stands for any; the
-- most specific rule of a stream decides. domain is an ingest domain or the zero-config vhost
-- (__defaultVhost__, which has no domains row: hence no foreign key; a deleted domain's rules are
-- deleted with it by the service).
CREATE TABLE record_rules (
    domain           VARCHAR(253)  NOT NULL,
    app              VARCHAR(128)  NOT NULL,
    stream           VARCHAR(128)  NOT NULL,
    enabled          BOOLEAN       NOT NULL,
    format           VARCHAR(8)    NOT NULL,
    rotate_seconds   BIGINT        NOT NULL,
    max_age_seconds  BIGINT        NOT NULL,
    max_total_bytes  BIGINT        NOT NULL,
    updated_at       BIGINT        NOT NULL,
    PRIMARY KEY (domain, app, stream)
);

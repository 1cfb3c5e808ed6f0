-- Forbidden streams of the zero-config vhost (__defaultVhost__, which has no domains row): the foreign
-- key to domains made such a forbid fail (500). The table is rebuilt without it (portable: H2 and
-- PostgreSQL name the constraint differently); a deleted domain's bans are deleted by the service,
-- as its recording rules are.
CREATE TABLE forbidden_streams_v4 (
    domain      VARCHAR(253)  NOT NULL,
    app         VARCHAR(128)  NOT NULL,
    stream      VARCHAR(128)  NOT NULL,
    until_ms    BIGINT,
    created_at  BIGINT        NOT NULL,
    PRIMARY KEY (domain, app, stream)
);
INSERT INTO forbidden_streams_v4 (domain, app, stream, until_ms, created_at)
    SELECT domain, app, stream, until_ms, created_at FROM forbidden_streams;
DROP TABLE forbidden_streams;
ALTER TABLE forbidden_streams_v4 RENAME TO forbidden_streams;

-- Hash-chained audit log (see AuditChain). audit_head holds the newest record's number and hash,
-- so deleting records at the end of the log is detectable too.
CREATE TABLE audit_log (
    seq               bigint PRIMARY KEY,
    time              timestamptz NOT NULL,
    client_id         text        NULL,
    method            text        NOT NULL,
    keys              text        NULL,
    versions          text        NULL,
    outcome           text        NOT NULL,
    error_name        text        NULL,
    request_id        text        NULL,
    remote_address    text        NULL,
    item_count        integer     NOT NULL,
    prev_hash         text        NOT NULL,
    hash              text        NOT NULL,
    chain_key_version integer     NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (time);
CREATE INDEX audit_log_client ON audit_log (client_id, seq);
CREATE INDEX audit_log_request ON audit_log (request_id);

CREATE TABLE audit_head (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  bigint  NOT NULL,
    hash text    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

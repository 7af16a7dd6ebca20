-- Timestamps are UTC ISO-8601 text (yyyy-MM-ddTHH:mm:ss.fffffffZ), which sorts chronologically.
CREATE TABLE keys (
    name                   TEXT    NOT NULL PRIMARY KEY,
    type                   TEXT    NOT NULL,
    rotation_period_ms     INTEGER NULL,
    exportable             INTEGER NOT NULL DEFAULT 0,
    deletion_allowed       INTEGER NOT NULL DEFAULT 0,
    min_decryption_version INTEGER NOT NULL DEFAULT 1,
    hsm_resident           INTEGER NOT NULL DEFAULT 0,
    required_context       TEXT    NOT NULL DEFAULT '[]',
    latest_version         INTEGER NOT NULL,
    created_at             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL
);

CREATE TABLE key_versions (
    key_name         TEXT    NOT NULL REFERENCES keys (name) ON DELETE CASCADE,
    version          INTEGER NOT NULL CHECK (version >= 1),
    state            TEXT    NOT NULL CHECK (state IN ('active', 'revoked', 'destroyed')),
    created_at       TEXT    NOT NULL,
    wrapped_material BLOB    NULL,
    kek_id           TEXT    NULL,
    public_material  BLOB    NULL,
    revoked_at       TEXT    NULL,
    destroyed_at     TEXT    NULL,
    PRIMARY KEY (key_name, version),
    CHECK (state <> 'destroyed' OR wrapped_material IS NULL)
);

-- KEK rotation looks for versions still wrapped by an old KEK.
CREATE INDEX key_versions_kek_id ON key_versions (kek_id) WHERE wrapped_material IS NOT NULL;

CREATE TABLE clients (
    client_id          TEXT    NOT NULL PRIMARY KEY,
    secret_hash        TEXT    NOT NULL,
    roles              TEXT    NOT NULL DEFAULT '[]',
    keys               TEXT    NOT NULL DEFAULT '[]',
    disabled           INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    tokens_valid_after TEXT    NULL
);

CREATE TABLE settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

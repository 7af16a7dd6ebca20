-- Names use the "C" collation so ordering and keyset paging are byte-wise, as in SQLite.
CREATE TABLE keys (
    name                   text COLLATE "C" PRIMARY KEY,
    type                   text        NOT NULL,
    rotation_period_ms     bigint      NULL,
    exportable             boolean     NOT NULL DEFAULT false,
    deletion_allowed       boolean     NOT NULL DEFAULT false,
    min_decryption_version integer     NOT NULL DEFAULT 1,
    hsm_resident           boolean     NOT NULL DEFAULT false,
    required_context       text        NOT NULL DEFAULT '[]',
    latest_version         integer     NOT NULL,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL
);

CREATE TABLE key_versions (
    key_name         text COLLATE "C" NOT NULL REFERENCES keys (name) ON DELETE CASCADE,
    version          integer     NOT NULL CHECK (version >= 1),
    state            text        NOT NULL CHECK (state IN ('active', 'revoked', 'destroyed')),
    created_at       timestamptz NOT NULL,
    wrapped_material bytea       NULL,
    kek_id           text        NULL,
    public_material  bytea       NULL,
    revoked_at       timestamptz NULL,
    destroyed_at     timestamptz NULL,
    PRIMARY KEY (key_name, version),
    CHECK (state <> 'destroyed' OR wrapped_material IS NULL)
);

-- KEK rotation looks for versions still wrapped by an old KEK.
CREATE INDEX key_versions_kek_id ON key_versions (kek_id) WHERE wrapped_material IS NOT NULL;

CREATE TABLE clients (
    client_id          text COLLATE "C" PRIMARY KEY,
    secret_hash        text        NOT NULL,
    roles              text        NOT NULL DEFAULT '[]',
    keys               text        NOT NULL DEFAULT '[]',
    disabled           boolean     NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    tokens_valid_after timestamptz NULL
);

CREATE TABLE settings (
    name  text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
);

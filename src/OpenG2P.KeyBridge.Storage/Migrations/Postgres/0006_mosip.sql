-- Key versions imported from a MOSIP keymanager: the certificate thumbprint MOSIP ciphertexts name (upper-case hex
-- SHA-256 of the certificate DER, as MOSIP's key_alias.cert_thumbprint), MOSIP's ids for the key, and the kid MOSIP
-- published for it, so /v1/keymanager and decrypt_data find the version that decrypts or verifies.
CREATE TABLE mosip_keys (
    thumbprint        text COLLATE "C" NOT NULL PRIMARY KEY,
    key_name          text COLLATE "C" NOT NULL,
    version           integer     NOT NULL,
    application_id    text        NOT NULL,
    reference_id      text        NOT NULL,
    alias             text        NULL,
    unique_identifier text        NULL,
    key_id            text COLLATE "C" NULL,
    generated_at      timestamptz NOT NULL,
    expires_at        timestamptz NULL,
    imported_at       timestamptz NOT NULL,
    FOREIGN KEY (key_name, version) REFERENCES key_versions (key_name, version) ON DELETE CASCADE
);

CREATE INDEX mosip_keys_by_key ON mosip_keys (key_name, version);

CREATE UNIQUE INDEX mosip_keys_by_key_id ON mosip_keys (key_id);

-- Key versions imported from a MOSIP keymanager: the certificate thumbprint MOSIP ciphertexts name (upper-case hex
-- SHA-256 of the certificate DER, as MOSIP's key_alias.cert_thumbprint), MOSIP's ids for the key, and the kid MOSIP
-- published for it, so /v1/keymanager and decrypt_data find the version that decrypts or verifies.
CREATE TABLE mosip_keys (
    thumbprint        TEXT    NOT NULL PRIMARY KEY,
    key_name          TEXT    NOT NULL,
    version           INTEGER NOT NULL,
    application_id    TEXT    NOT NULL,
    reference_id      TEXT    NOT NULL,
    alias             TEXT    NULL,
    unique_identifier TEXT    NULL,
    key_id            TEXT    NULL,
    generated_at      TEXT    NOT NULL,
    expires_at        TEXT    NULL,
    imported_at       TEXT    NOT NULL,
    FOREIGN KEY (key_name, version) REFERENCES key_versions (key_name, version) ON DELETE CASCADE
);

CREATE INDEX mosip_keys_by_key ON mosip_keys (key_name, version);

CREATE UNIQUE INDEX mosip_keys_by_key_id ON mosip_keys (key_id);

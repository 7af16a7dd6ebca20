-- Signing keys: the X.509 certificate of each signing key version (DER), with its issuer chain as
-- concatenated DER certificates, nearest issuer first; and the algorithm a key signs with by
-- default (RSA keys: RS256 or PS256; NULL means the key type's default).
ALTER TABLE keys ADD COLUMN signing_algorithm TEXT NULL;

CREATE TABLE key_certificates (
    key_name    TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    certificate BLOB    NOT NULL,
    chain       BLOB    NULL,
    attached_at TEXT    NOT NULL,
    PRIMARY KEY (key_name, version),
    FOREIGN KEY (key_name, version) REFERENCES key_versions (key_name, version) ON DELETE CASCADE
);

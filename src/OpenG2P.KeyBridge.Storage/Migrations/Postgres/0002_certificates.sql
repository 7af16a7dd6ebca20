-- Signing keys: the X.509 certificate of each signing key version (DER), with its issuer chain as
-- concatenated DER certificates, nearest issuer first; and the algorithm a key signs with by
-- default (RSA keys: RS256 or PS256; NULL means the key type's default).
ALTER TABLE keys ADD COLUMN signing_algorithm text NULL;

CREATE TABLE key_certificates (
    key_name    text COLLATE "C" NOT NULL,
    version     integer     NOT NULL,
    certificate bytea       NOT NULL,
    chain       bytea       NULL,
    attached_at timestamptz NOT NULL,
    PRIMARY KEY (key_name, version),
    FOREIGN KEY (key_name, version) REFERENCES key_versions (key_name, version) ON DELETE CASCADE
);

-- The voucher ledger: one row per signed voucher. Redemption and revocation are conditional updates of
-- "state", so a voucher is redeemed at most once however many nodes try. An issued voucher past
-- valid_until counts as expired; the state says so once a late redemption was refused.
CREATE TABLE vouchers (
    seq               INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    id                TEXT    NOT NULL UNIQUE,
    program           TEXT    NOT NULL,
    beneficiary       TEXT    NOT NULL,
    amount            TEXT    NOT NULL,
    currency          TEXT    NOT NULL,
    valid_from        TEXT    NOT NULL,
    valid_until       TEXT    NOT NULL,
    key_name          TEXT    NOT NULL,
    key_version       INTEGER NOT NULL,
    token             TEXT    NOT NULL,
    state             TEXT    NOT NULL CHECK (state IN ('issued', 'redeemed', 'revoked', 'expired')),
    issued_by         TEXT    NOT NULL,
    issued_at         TEXT    NOT NULL,
    idempotency_key   TEXT    NULL,
    request_hash      TEXT    NULL,
    redeemed_at       TEXT    NULL,
    redeemed_by       TEXT    NULL,
    redeemer          TEXT    NULL,
    revoked_at        TEXT    NULL,
    revoked_by        TEXT    NULL,
    revocation_reason TEXT    NULL,
    -- NULL keys never collide, so vouchers issued without an idempotency key are unconstrained.
    UNIQUE (issued_by, idempotency_key)
);

CREATE INDEX vouchers_program ON vouchers (program, seq);
CREATE INDEX vouchers_state ON vouchers (state, seq);

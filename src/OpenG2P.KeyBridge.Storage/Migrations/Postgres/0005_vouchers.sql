-- The voucher ledger: one row per signed voucher. Redemption and revocation are conditional updates of
-- "state", so a voucher is redeemed at most once however many nodes try. An issued voucher past
-- valid_until counts as expired; the state says so once a late redemption was refused.
CREATE TABLE vouchers (
    seq               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                text COLLATE "C" NOT NULL UNIQUE,
    program           text COLLATE "C" NOT NULL,
    beneficiary       text        NOT NULL,
    amount            text        NOT NULL,
    currency          text        NOT NULL,
    valid_from        timestamptz NOT NULL,
    valid_until       timestamptz NOT NULL,
    key_name          text        NOT NULL,
    key_version       integer     NOT NULL,
    token             text        NOT NULL,
    state             text        NOT NULL CHECK (state IN ('issued', 'redeemed', 'revoked', 'expired')),
    issued_by         text        NOT NULL,
    issued_at         timestamptz NOT NULL,
    idempotency_key   text        NULL,
    request_hash      text        NULL,
    redeemed_at       timestamptz NULL,
    redeemed_by       text        NULL,
    redeemer          text        NULL,
    revoked_at        timestamptz NULL,
    revoked_by        text        NULL,
    revocation_reason text        NULL,
    -- NULL keys never collide, so vouchers issued without an idempotency key are unconstrained.
    UNIQUE (issued_by, idempotency_key)
);

CREATE INDEX vouchers_program ON vouchers (program, seq);
CREATE INDEX vouchers_state ON vouchers (state, seq);

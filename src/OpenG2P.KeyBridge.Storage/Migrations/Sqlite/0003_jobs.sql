-- KeyBridge's own record of long-running jobs (re-encryption, KEK rotation): state, lease and
-- checkpoint, so a job resumes after a restart whatever Hangfire storage runs it.
CREATE TABLE jobs (
    seq              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    id               TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    parameters       TEXT    NOT NULL,
    secret           TEXT    NULL,
    created_by       TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    started_at       TEXT    NULL,
    finished_at      TEXT    NULL,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    lease_owner      TEXT    NULL,
    lease_until      TEXT    NULL,
    hangfire_id      TEXT    NULL,
    resume_after     TEXT    NULL,
    total            INTEGER NULL,
    done             INTEGER NOT NULL DEFAULT 0,
    changed          INTEGER NOT NULL DEFAULT 0,
    failed           INTEGER NOT NULL DEFAULT 0,
    min_version      INTEGER NULL,
    run_started_at   TEXT    NULL,
    run_done_start   INTEGER NOT NULL DEFAULT 0,
    error            TEXT    NULL
);

CREATE INDEX jobs_active ON jobs (updated_at) WHERE state IN ('queued', 'running');

CREATE TABLE job_failures (
    job_id  TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    item    TEXT    NOT NULL,
    item_no INTEGER NOT NULL,
    reason  TEXT    NOT NULL,
    failed_at TEXT    NOT NULL,
    PRIMARY KEY (job_id, item)
);

CREATE INDEX job_failures_order ON job_failures (job_id, item_no, item);

-- KeyBridge's own record of long-running jobs (re-encryption, KEK rotation): state, lease and
-- checkpoint, so a job resumes after a restart whatever Hangfire storage runs it.
CREATE TABLE jobs (
    seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id               text COLLATE "C" NOT NULL UNIQUE,
    kind             text        NOT NULL,
    state            text        NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    parameters       text        NOT NULL,
    secret           text        NULL,
    created_by       text        NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    started_at       timestamptz NULL,
    finished_at      timestamptz NULL,
    cancel_requested boolean     NOT NULL DEFAULT false,
    lease_owner      text        NULL,
    lease_until      timestamptz NULL,
    hangfire_id      text        NULL,
    resume_after     text        NULL,
    total            bigint      NULL,
    done             bigint      NOT NULL DEFAULT 0,
    changed          bigint      NOT NULL DEFAULT 0,
    failed           bigint      NOT NULL DEFAULT 0,
    min_version      integer     NULL,
    run_started_at   timestamptz NULL,
    run_done_start   bigint      NOT NULL DEFAULT 0,
    error            text        NULL
);

CREATE INDEX jobs_active ON jobs (updated_at) WHERE state IN ('queued', 'running');

CREATE TABLE job_failures (
    job_id  text COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    item    text COLLATE "C" NOT NULL,
    item_no bigint      NOT NULL,
    reason  text        NOT NULL,
    failed_at timestamptz NOT NULL,
    PRIMARY KEY (job_id, item)
);

CREATE INDEX job_failures_order ON job_failures (job_id, item_no, item);

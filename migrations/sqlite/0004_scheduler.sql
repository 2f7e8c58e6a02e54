-- The scheduler: durable one-off and recurring jobs, claimed with leases (see src/scheduler).
-- Keep in step with the other backend's 0004.

-- One row per piece of timed work. A job's effects commit in the transaction that marks it
-- done, guarded by the lease it was claimed with, so a job fired twice has one effect.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    run_at       BIGINT NOT NULL,
    -- pending | done | failed (gave up after max_attempts) | cancelled
    status       TEXT NOT NULL DEFAULT 'pending',
    attempts     BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL DEFAULT 10,
    locked_until BIGINT,
    -- One event never schedules twice: e.g. 'sla.remind:task:42'.
    unique_key   TEXT,
    -- Occurrences of a recurring schedule: unique per (schedule, fire time), so several
    -- instances never fire one twice and no leader is needed.
    schedule_id  BIGINT,
    fire_at      BIGINT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key);
CREATE UNIQUE INDEX jobs_occurrence ON jobs (schedule_id, fire_at);
CREATE INDEX jobs_due ON jobs (run_at) WHERE status = 'pending';

-- Recurring schedules: a cron expression in an IANA time zone; next_fire_at is UTC (NULL: off).
-- Whoever claims a due row inserts its occurrence and advances next_fire_at in one transaction.
CREATE TABLE schedules (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    expr         TEXT NOT NULL,
    tz           TEXT NOT NULL,
    -- After downtime: 'once' fires the latest missed occurrence only; 'all' fires each.
    catch_up     TEXT NOT NULL DEFAULT 'once',
    next_fire_at BIGINT,
    last_fire_at BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE next_fire_at IS NOT NULL;

-- Follow-ups: "remind me about REQ-000042 tomorrow at 9". seq grows with each snooze; the
-- firing job of (id, seq) is unique, and a stale one (an earlier seq) does nothing.
CREATE TABLE followups (
    id          INTEGER PRIMARY KEY,
    owner_id    BIGINT NOT NULL REFERENCES employees(id),
    subject_ref TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    due_at      BIGINT NOT NULL,
    status      TEXT NOT NULL,
    seq         BIGINT NOT NULL DEFAULT 0,
    fired_at    BIGINT,
    created_at  BIGINT NOT NULL,
    closed_at   BIGINT
);
CREATE INDEX followups_owner ON followups (owner_id, status, due_at);

-- Customer callbacks (relationship care): one-off, or recurring through a schedule.
-- customer is free text until customer records exist; customer_id links it then.
CREATE TABLE callbacks (
    id            INTEGER PRIMARY KEY,
    owner_id      BIGINT NOT NULL REFERENCES employees(id),
    customer      TEXT NOT NULL,
    customer_id   BIGINT,
    note          TEXT NOT NULL DEFAULT '',
    repeat_text   TEXT,
    repeat_cron   TEXT,
    due_at        BIGINT,
    schedule_id   BIGINT REFERENCES schedules(id),
    status        TEXT NOT NULL,
    done_count    BIGINT NOT NULL DEFAULT 0,
    last_fired_at BIGINT,
    created_at    BIGINT NOT NULL,
    closed_at     BIGINT
);
CREATE INDEX callbacks_owner ON callbacks (owner_id, status);

-- Escalation: the task an escalated task was replaced by points back at it.
ALTER TABLE approval_tasks ADD COLUMN escalated_from BIGINT;
ALTER TABLE approval_stages ADD COLUMN escalated_at BIGINT;

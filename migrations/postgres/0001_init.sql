-- bizdesk schema, PostgreSQL flavour. Times are BIGINT milliseconds since the Unix epoch (UTC);
-- money is BIGINT minor units with a currency code. Keep in step with migrations/sqlite.

CREATE TABLE departments (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_zh     TEXT NOT NULL DEFAULT '',
    head_handle TEXT,
    parent_code TEXT,
    active      BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE employees (
    id              BIGSERIAL PRIMARY KEY,
    handle          TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL,
    department_code TEXT NOT NULL,
    roles           TEXT NOT NULL DEFAULT '',
    discord_id      TEXT UNIQUE,
    locale          TEXT,
    active          BIGINT NOT NULL DEFAULT 1,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE requisitions (
    id               BIGSERIAL PRIMARY KEY,
    requester_id     BIGINT NOT NULL REFERENCES employees(id),
    department_code  TEXT NOT NULL,
    item             TEXT NOT NULL,
    spec             TEXT NOT NULL DEFAULT '',
    quantity         BIGINT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    total_minor      BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    needed_by        TEXT,
    reason           TEXT NOT NULL DEFAULT '',
    category         TEXT,
    status           TEXT NOT NULL,
    round            BIGINT NOT NULL DEFAULT 1,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX requisitions_requester ON requisitions (requester_id, id);

-- One approval per subject and round; `version` is the compare-and-set guard for decisions.
CREATE TABLE approvals (
    id            BIGSERIAL PRIMARY KEY,
    subject_kind  TEXT NOT NULL,
    subject_id    BIGINT NOT NULL,
    subject_ref   TEXT NOT NULL,
    round         BIGINT NOT NULL,
    requester_id  BIGINT NOT NULL REFERENCES employees(id),
    policy        TEXT NOT NULL,
    snapshot      TEXT NOT NULL,
    status        TEXT NOT NULL,
    current_stage BIGINT,
    version       BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    closed_at     BIGINT,
    UNIQUE (subject_kind, subject_id, round)
);
CREATE INDEX approvals_subject_ref ON approvals (subject_ref, round);

CREATE TABLE approval_stages (
    id               BIGSERIAL PRIMARY KEY,
    approval_id      BIGINT NOT NULL REFERENCES approvals(id),
    idx              BIGINT NOT NULL,
    name             TEXT NOT NULL,
    name_zh          TEXT NOT NULL DEFAULT '',
    mode             TEXT NOT NULL,
    required         BIGINT NOT NULL,
    approvers        TEXT NOT NULL,
    status           TEXT NOT NULL,
    remind_after_s   BIGINT,
    escalate_after_s BIGINT,
    escalate_to      TEXT,
    started_at       BIGINT,
    closed_at        BIGINT,
    UNIQUE (approval_id, idx)
);

CREATE TABLE approval_tasks (
    id           BIGSERIAL PRIMARY KEY,
    approval_id  BIGINT NOT NULL REFERENCES approvals(id),
    stage_id     BIGINT NOT NULL REFERENCES approval_stages(id),
    assignee_id  BIGINT NOT NULL REFERENCES employees(id),
    status       TEXT NOT NULL,
    decided_by   BIGINT REFERENCES employees(id),
    on_behalf_of BIGINT REFERENCES employees(id),
    comment      TEXT,
    created_at   BIGINT NOT NULL,
    decided_at   BIGINT
);
CREATE INDEX approval_tasks_open ON approval_tasks (assignee_id, created_at) WHERE status = 'open';
CREATE INDEX approval_tasks_approval ON approval_tasks (approval_id);

CREATE TABLE delegations (
    id           BIGSERIAL PRIMARY KEY,
    delegator_id BIGINT NOT NULL REFERENCES employees(id),
    delegate_id  BIGINT NOT NULL REFERENCES employees(id),
    starts_on    TEXT NOT NULL,
    ends_on      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX delegations_delegate ON delegations (delegate_id) WHERE revoked_at IS NULL;

-- Everything outbound. Written in the same transaction as the change that causes it.
CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    channel         TEXT NOT NULL,
    recipient_id    BIGINT REFERENCES employees(id),
    address         TEXT,
    kind            TEXT NOT NULL,
    subject_ref     TEXT,
    payload         TEXT NOT NULL,
    edits_id        BIGINT REFERENCES outbox(id),
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    provider_id     TEXT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_due ON outbox (channel, next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_recipient ON outbox (recipient_id, id);
CREATE INDEX outbox_subject ON outbox (subject_ref, kind);

-- The tamper-evident trail. `audit_head` holds the last sequence and hash; appending updates
-- it first, which also serializes appenders.
CREATE TABLE audit_events (
    seq          BIGINT PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    on_behalf_of TEXT,
    action       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    summary      TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);

CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Finance (财务): budget rounds drafted by departments, consolidated by finance and approved by
-- management; budget lines in force and their history; one ledger of what documents hold
-- against them; expense claims; acknowledgements of budget warnings. Keep in step with the
-- other backend's 0019.

-- A budget round: finance asks every department to draft its lines for one year.
CREATE TABLE budget_rounds (
    id           BIGSERIAL PRIMARY KEY,
    year         BIGINT NOT NULL,
    -- How the lines are phased: year | quarter | month.
    period       TEXT NOT NULL,
    -- YYYY-MM-DD, the last day departments may draft (a returned draft may be fixed later).
    due_on       TEXT NOT NULL,
    -- drafting | in_review (with management) | in_force
    status       TEXT NOT NULL,
    opened_by    BIGINT NOT NULL REFERENCES employees(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX budget_rounds_year ON budget_rounds (year);

-- One department's draft in a round.
CREATE TABLE budget_drafts (
    round_id        BIGINT NOT NULL REFERENCES budget_rounds(id),
    department_code TEXT NOT NULL,
    -- drafting | submitted | returned | approved
    status          TEXT NOT NULL,
    -- Finance's comment when it returned the draft.
    comment         TEXT NOT NULL DEFAULT '',
    submitted_by    BIGINT REFERENCES employees(id),
    submitted_at    BIGINT,
    -- When the department head was last reminded, and when it was escalated.
    reminded_at     BIGINT,
    escalated_at    BIGINT,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (round_id, department_code)
);

-- A line: one department's amount for one category and period. In force when its round is.
CREATE TABLE budget_lines (
    id              BIGSERIAL PRIMARY KEY,
    round_id        BIGINT NOT NULL REFERENCES budget_rounds(id),
    department_code TEXT NOT NULL,
    category        TEXT NOT NULL,
    -- `2027`, `2027-Q1` or `2027-03`, by the round's period.
    period          TEXT NOT NULL,
    amount_minor    BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    updated_by      BIGINT NOT NULL REFERENCES employees(id),
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX budget_lines_key ON budget_lines (round_id, department_code, category, period);

-- An approval of budgets (BUD-): a round's consolidated budget, or one revision of a line in
-- force.
CREATE TABLE budgets (
    id              BIGSERIAL PRIMARY KEY,
    -- round | revision
    kind            TEXT NOT NULL,
    round_id        BIGINT NOT NULL REFERENCES budget_rounds(id),
    -- pending | approved | rejected | changes_requested | withdrawn
    status          TEXT NOT NULL,
    requested_by    BIGINT NOT NULL REFERENCES employees(id),
    -- The round's total, or the revision's new amount.
    amount_minor    BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    -- A revision's line and what it changes.
    department_code TEXT,
    category        TEXT,
    period          TEXT,
    old_minor       BIGINT,
    reason          TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX budgets_round ON budgets (round_id, id);

-- Every change of a line in force (a revision approved), oldest first.
CREATE TABLE budget_line_history (
    id         BIGSERIAL PRIMARY KEY,
    line_id    BIGINT NOT NULL REFERENCES budget_lines(id),
    budget_id  BIGINT NOT NULL REFERENCES budgets(id),
    old_minor  BIGINT NOT NULL,
    new_minor  BIGINT NOT NULL,
    reason     TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX budget_line_history_line ON budget_line_history (line_id, id);

-- The ledger: where each document's amount stands now (one row per document: REQ-, PO-,
-- PAY-, EXP-), charged to the department, category and month of its origin. Each amount is in
-- exactly one column.
CREATE TABLE budget_positions (
    doc             TEXT PRIMARY KEY,
    department_code TEXT NOT NULL,
    category        TEXT NOT NULL,
    year            BIGINT NOT NULL,
    month           BIGINT NOT NULL,
    requested_minor BIGINT NOT NULL DEFAULT 0,
    committed_minor BIGINT NOT NULL DEFAULT 0,
    spent_minor     BIGINT NOT NULL DEFAULT 0,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX budget_positions_line ON budget_positions (year, department_code, category);

-- How the positions moved (the deltas), for the story of a line.
CREATE TABLE budget_moves (
    id              BIGSERIAL PRIMARY KEY,
    doc             TEXT NOT NULL,
    department_code TEXT NOT NULL,
    category        TEXT NOT NULL,
    year            BIGINT NOT NULL,
    month           BIGINT NOT NULL,
    requested_minor BIGINT NOT NULL,
    committed_minor BIGINT NOT NULL,
    spent_minor     BIGINT NOT NULL,
    at              BIGINT NOT NULL
);
CREATE INDEX budget_moves_line ON budget_moves (year, department_code, category, id);

-- The 80 % and 100 % notices of a line, each sent once.
CREATE TABLE budget_alerts (
    department_code TEXT NOT NULL,
    category        TEXT NOT NULL,
    year            BIGINT NOT NULL,
    level           BIGINT NOT NULL,
    sent_at         BIGINT NOT NULL,
    PRIMARY KEY (department_code, category, year, level)
);

-- Expense claims (EXP-): an employee's own spending, paid back by finance.
CREATE TABLE expense_claims (
    id              BIGSERIAL PRIMARY KEY,
    claimant_id     BIGINT NOT NULL REFERENCES employees(id),
    department_code TEXT NOT NULL,
    category        TEXT NOT NULL,
    amount_minor    BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    description     TEXT NOT NULL,
    -- YYYY-MM-DD, when the money was spent.
    spent_on        TEXT NOT NULL,
    document_url    TEXT,
    -- pending | approved | rejected | changes_requested | withdrawn | paid
    status          TEXT NOT NULL,
    round           BIGINT NOT NULL DEFAULT 1,
    paid_minor      BIGINT NOT NULL DEFAULT 0,
    paid_on         TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX expense_claims_claimant ON expense_claims (claimant_id, id);
CREATE INDEX expense_claims_status ON expense_claims (status, id);

-- A command held for its author's acknowledgement of a budget warning (the "Submit anyway"
-- button runs it once with ack:yes).
CREATE TABLE acknowledgements (
    id          BIGSERIAL PRIMARY KEY,
    employee_id BIGINT NOT NULL REFERENCES employees(id),
    line        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    used_at     BIGINT
);

-- Opportunities (assessed by the central office through the approval engine), contracts
-- (reviewed by legal through it), and change requests and quality problems on orders.
-- Keep in step with the other backend's 0010.
CREATE TABLE opportunities (
    id          INTEGER PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    owner_id    BIGINT NOT NULL REFERENCES employees(id),
    title       TEXT NOT NULL,
    value_minor BIGINT,
    currency    TEXT NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    priority    TEXT,
    feasibility TEXT,
    assessed_by BIGINT REFERENCES employees(id),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX opportunities_owner ON opportunities (owner_id, id);

ALTER TABLE orders ADD COLUMN opportunity_id BIGINT REFERENCES opportunities(id);

CREATE TABLE contracts (
    id           INTEGER PRIMARY KEY,
    order_id     BIGINT NOT NULL REFERENCES orders(id),
    submitter_id BIGINT NOT NULL REFERENCES employees(id),
    terms        TEXT NOT NULL DEFAULT '',
    document_url TEXT,
    amount_minor BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL,
    approved_by  TEXT,
    filed_at     BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX contracts_order ON contracts (order_id, id);

CREATE TABLE order_issues (
    id          INTEGER PRIMARY KEY,
    order_id    BIGINT NOT NULL REFERENCES orders(id),
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    author_id   BIGINT NOT NULL REFERENCES employees(id),
    status      TEXT NOT NULL,
    resolution  TEXT,
    resolved_by BIGINT REFERENCES employees(id),
    created_at  BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX order_issues_order ON order_issues (order_id, id);
CREATE INDEX order_issues_open ON order_issues (status, id);

-- The procurement chain after the requisition (采购 2–6): suppliers and their qualification,
-- certificates, ratings and scorecards; purchase orders; goods receipts and supplier claims;
-- payment requests checked three ways. Purchase contracts reuse `contracts` (a contract is
-- for a sales order or for a purchase order). Keep in step with the other backend's 0013.
CREATE TABLE suppliers (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL,
    company          TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL,
    phone            TEXT NOT NULL DEFAULT '',
    -- Purchase category codes (requisitions.categories), comma-separated.
    categories       TEXT NOT NULL DEFAULT '',
    locale           TEXT,
    -- candidate | qualified | suspended | disqualified
    status           TEXT NOT NULL,
    -- Why it is suspended, e.g. `cert:iso9001` (an expired required certificate).
    suspended_reason TEXT,
    -- The qualification round (the approval round number of its `supplier` review).
    round            BIGINT NOT NULL DEFAULT 0,
    -- The latest scorecard's score (0–100) and standing (excellent | good | poor | very_poor).
    score            BIGINT,
    standing         TEXT,
    owner_id         BIGINT NOT NULL REFERENCES employees(id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX suppliers_email ON suppliers (email);
CREATE INDEX suppliers_status ON suppliers (status, id);

CREATE TABLE supplier_certs (
    id           INTEGER PRIMARY KEY,
    supplier_id  BIGINT NOT NULL REFERENCES suppliers(id),
    kind         TEXT NOT NULL,
    -- YYYY-MM-DD, the last day it is valid.
    expires_on   TEXT NOT NULL,
    document_url TEXT,
    added_by     BIGINT NOT NULL REFERENCES employees(id),
    -- When its expiry reminder went out (sent once).
    reminded_at  BIGINT,
    -- When a newer certificate of the same kind replaced it.
    replaced_at  BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX supplier_certs_supplier ON supplier_certs (supplier_id, kind, id);
CREATE INDEX supplier_certs_expiry ON supplier_certs (expires_on, id);

CREATE TABLE supplier_ratings (
    id          INTEGER PRIMARY KEY,
    supplier_id BIGINT NOT NULL REFERENCES suppliers(id),
    rater_id    BIGINT NOT NULL REFERENCES employees(id),
    -- The evaluation period it counts in, e.g. `2026-Q4`.
    period      TEXT NOT NULL,
    quality     BIGINT NOT NULL,
    delivery    BIGINT NOT NULL,
    price       BIGINT NOT NULL,
    service     BIGINT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX supplier_ratings_supplier ON supplier_ratings (supplier_id, period, id);

-- One scorecard per supplier and period with activity (ratings or orders).
CREATE TABLE supplier_scores (
    id          INTEGER PRIMARY KEY,
    supplier_id BIGINT NOT NULL REFERENCES suppliers(id),
    period      TEXT NOT NULL,
    score       BIGINT NOT NULL,
    standing    TEXT NOT NULL,
    -- JSON: the components (ratings' means, on-time and acceptance rates, price variance).
    components  TEXT NOT NULL,
    computed_at BIGINT NOT NULL,
    UNIQUE (supplier_id, period)
);

CREATE TABLE purchase_orders (
    id                   INTEGER PRIMARY KEY,
    requisition_id       BIGINT NOT NULL REFERENCES requisitions(id),
    supplier_id          BIGINT NOT NULL REFERENCES suppliers(id),
    -- The requisition's requester (told at each step) and department.
    requester_id         BIGINT NOT NULL REFERENCES employees(id),
    department_code      TEXT NOT NULL,
    -- Who raised the PO (procurement or the central office).
    buyer_id             BIGINT NOT NULL REFERENCES employees(id),
    item                 TEXT NOT NULL,
    spec                 TEXT NOT NULL DEFAULT '',
    category             TEXT,
    quantity             BIGINT NOT NULL,
    unit_price_minor     BIGINT NOT NULL,
    total_minor          BIGINT NOT NULL,
    currency             TEXT NOT NULL,
    delivery_on          TEXT,
    place                TEXT NOT NULL DEFAULT '',
    terms                TEXT NOT NULL DEFAULT '',
    important            BIGINT NOT NULL DEFAULT 0,
    needs_contract       BIGINT NOT NULL DEFAULT 0,
    -- The supplier's standing when the PO was raised, when it warrants a warning (`poor`).
    warning              TEXT,
    -- pending | approved | rejected | sent | confirmed | received | cancelled
    status               TEXT NOT NULL,
    round                BIGINT NOT NULL DEFAULT 1,
    sent_at              BIGINT,
    confirmed_at         BIGINT,
    cancel_reason        TEXT,
    -- The requester's DM that is edited as the PO moves (an outbox message id).
    dm_message_id        BIGINT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX purchase_orders_requisition ON purchase_orders (requisition_id, id);
CREATE INDEX purchase_orders_supplier ON purchase_orders (supplier_id, id);
CREATE INDEX purchase_orders_status ON purchase_orders (status, id);

CREATE TABLE receipts (
    id            INTEGER PRIMARY KEY,
    po_id         BIGINT NOT NULL REFERENCES purchase_orders(id),
    inspector_id  BIGINT NOT NULL REFERENCES employees(id),
    accepted      BIGINT NOT NULL,
    rejected      BIGINT NOT NULL DEFAULT 0,
    reason        TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    -- Links to the inspection's photos and documents, newline-separated.
    attachments   TEXT NOT NULL DEFAULT '',
    -- YYYY-MM-DD in the company's time zone, and days after the PO's delivery date (0: on time).
    received_on   TEXT NOT NULL,
    days_late     BIGINT NOT NULL DEFAULT 0,
    -- The supplier claim a rejection opens: open | resolved; NULL: none.
    claim_status  TEXT,
    -- replacement | credit | return
    resolution    TEXT,
    resolution_note TEXT,
    resolved_by   BIGINT REFERENCES employees(id),
    resolved_at   BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX receipts_po ON receipts (po_id, id);
CREATE INDEX receipts_claims ON receipts (claim_status, id);

CREATE TABLE supplier_payments (
    id             INTEGER PRIMARY KEY,
    po_id          BIGINT NOT NULL REFERENCES purchase_orders(id),
    supplier_id    BIGINT NOT NULL REFERENCES suppliers(id),
    requester_id   BIGINT NOT NULL REFERENCES employees(id),
    invoice        TEXT NOT NULL,
    amount_minor   BIGINT NOT NULL,
    currency       TEXT NOT NULL,
    -- The three-way match when requested: what the PO orders (price × quantity), what its
    -- accepted quantity is worth less what earlier requests claim, and the verdict.
    ordered_minor  BIGINT NOT NULL,
    expected_minor BIGINT NOT NULL,
    accepted_qty   BIGINT NOT NULL,
    -- matched | mismatch
    match_result   TEXT NOT NULL,
    -- pending | exception | held | queried | approved | rejected | paid | cancelled
    status         TEXT NOT NULL,
    -- How finance settled an exception: pay_accepted | override; and the amount approved.
    decision       TEXT,
    approved_minor BIGINT,
    decided_by     BIGINT REFERENCES employees(id),
    reason         TEXT,
    due_on         TEXT,
    document_url   TEXT,
    paid_minor     BIGINT,
    paid_on        TEXT,
    round          BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
-- An invoice number is used once per supplier.
CREATE UNIQUE INDEX supplier_payments_invoice ON supplier_payments (supplier_id, invoice);
CREATE INDEX supplier_payments_po ON supplier_payments (po_id, id);
CREATE INDEX supplier_payments_status ON supplier_payments (status, due_on);

-- A contract is for a sales order or for a purchase order (SQLite cannot drop NOT NULL: the
-- table is rebuilt; nothing references it).
CREATE TABLE contracts_new (
    id           INTEGER PRIMARY KEY,
    order_id     BIGINT REFERENCES orders(id),
    po_id        BIGINT REFERENCES purchase_orders(id),
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
INSERT INTO contracts_new (id, order_id, po_id, submitter_id, terms, document_url, amount_minor,
    currency, status, approved_by, filed_at, created_at, updated_at)
SELECT id, order_id, NULL, submitter_id, terms, document_url, amount_minor, currency, status,
    approved_by, filed_at, created_at, updated_at FROM contracts;
DROP TABLE contracts;
ALTER TABLE contracts_new RENAME TO contracts;
CREATE INDEX contracts_order ON contracts (order_id, id);
CREATE INDEX contracts_po ON contracts (po_id, id);

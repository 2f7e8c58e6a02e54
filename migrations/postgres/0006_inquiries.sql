-- Customer inquiries, complaints and feedback, and their timeline. Keep in step with the
-- other backend's 0006.
CREATE TABLE inquiries (
    id                BIGSERIAL PRIMARY KEY,
    customer_id       BIGINT NOT NULL REFERENCES customers(id),
    channel           TEXT NOT NULL,
    kind              TEXT NOT NULL,
    subject           TEXT NOT NULL,
    details           TEXT NOT NULL,
    category          TEXT,
    department_code   TEXT NOT NULL,
    priority          TEXT NOT NULL,
    status            TEXT NOT NULL,
    owner_id          BIGINT REFERENCES employees(id),
    logged_by         BIGINT NOT NULL REFERENCES employees(id),
    resolution        TEXT,
    created_at        BIGINT NOT NULL,
    first_response_at BIGINT,
    resolved_at       BIGINT,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX inquiries_owner ON inquiries (owner_id, status);
CREATE INDEX inquiries_department ON inquiries (department_code, status);
CREATE INDEX inquiries_status ON inquiries (status, id);

-- What happened to an inquiry: notes (internal), replies and the resolution (sent to the
-- customer), takes, assignments and handoffs.
CREATE TABLE inquiry_events (
    id          BIGSERIAL PRIMARY KEY,
    inquiry_id  BIGINT NOT NULL REFERENCES inquiries(id),
    kind        TEXT NOT NULL,
    author_id   BIGINT REFERENCES employees(id),  -- NULL: bizdesk itself (e.g. an SLA breach)
    text        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX inquiry_events_inquiry ON inquiry_events (inquiry_id, id);

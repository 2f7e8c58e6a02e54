-- Email: who wants which notifications by email, and the indexes the email worker and
-- threading read. `org_*` columns come from org.toml (written by `org sync`); the others are
-- the employee's own choice (`/settings email`), which wins. NULL means "not said".
CREATE TABLE delivery_prefs (
    employee_id       BIGINT PRIMARY KEY REFERENCES employees(id),
    org_email_prompts BIGINT,
    org_email_updates BIGINT,
    email_prompts     BIGINT,
    email_updates     BIGINT,
    updated_at        BIGINT NOT NULL
);
-- Earlier emails about one subject to one address, for In-Reply-To and References.
CREATE INDEX outbox_thread ON outbox (subject_ref, address, id) WHERE channel = 'email';
-- Dead letters, for `bizdesk outbox list --failed`.
CREATE INDEX outbox_dead ON outbox (id) WHERE status = 'dead';
